# Session 14, call 7 (issue 5): the state scan with the discretization moved out of the walk (ssd_chunk_weights
# computes every chunk's weights and decay first; the walk copies them with x and B and keeps one barrier a chunk),
# three stages and two, against the four-barrier walk (00d9c6b's jar), StepBenchmark twice each.
# bash docs/eval/gpu-2026-11-28/call7.sh $OUT
keep=$1
out=/tmp/call7
. docs/eval/gpu-2026-11-26/lib.sh
gpu_state
module_tests tests
for opts in -Dmdm.jcuda.stateScanSlice=16 -Dmdm.jcuda.stateScanSlice=128 -Dmdm.jcuda.stateScanStages=2; do
  class_tests "bf16${opts#*jcuda.}" dev.mdm.backend.jcuda.JcudaBf16OracleAgreementTest $opts
done
step_bench step-base "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new
step_bench step-s2 -Dmdm.jcuda.stateScanStages=2
step_bench step-base2 "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new2
gpu_state
mkdir -p "$keep" && cp "$out"/step-new.json "$out"/step-new2.json "$out"/step-base.json "$out"/step-s2.json "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
