# Session 14, call 8 (issue 5): a4d4740 (the state scan) against v26 (c097b4c's jar) in one call, StepBenchmark
# twice each, the scan's n-slice fixed at 16 and 64 beside the per-shape choice, and Probe8 (the bf16 denoiser's
# error against the float64 oracle, docs/eval/gpu-2026-11-24/Probe8.java, compiled into .gpu/test-classes after
# packing) with both builds. bash docs/eval/gpu-2026-11-28/call8.sh $OUT
keep=$1
out=/tmp/call8
. docs/eval/gpu-2026-11-26/lib.sh
gpu_state
step_bench step-v26 "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new
step_bench step-s16 -Dmdm.jcuda.stateScanSlice=16
step_bench step-s64 -Dmdm.jcuda.stateScanSlice=64
step_bench step-v26b "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new2
gpu_state
{ echo "== new"; bash $run Probe8; echo "== v26"; MDM_JCUDA_JAR=.gpu/baseline/mdm-backend-jcuda.jar bash $run Probe8; } \
  2>&1 | grep -E '^==|PROBE8' > "$out/probe8.txt"
cat "$out/probe8.txt"
mkdir -p "$keep" && cp "$out"/step-new.json "$out"/step-new2.json "$out"/step-v26.json "$out"/probe8.txt "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
