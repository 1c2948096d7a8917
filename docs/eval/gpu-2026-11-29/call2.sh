# Session 15, call 2 (issue 5): the folded mixer's in_proj as two GEMMs, z, x, B and C in bf16 and dt in fp32
# (-Dmdm.jcuda.bf16InProj, on by default in this build), and the one-head SSD kernels at 1 092 tokens
# (-Dmdm.jcuda.twoHeadMinChunks=19), against v27 (189a361's jar); every jcuda test; Probe8's bf16 error both ways.
# tools/gpu/pack.sh --tests --baseline=189a361; javac Probe8 into .gpu/test-classes; bash docs/eval/gpu-2026-11-29/call2.sh $OUT
keep=$1
out=/tmp/call2
. docs/eval/gpu-2026-11-26/lib.sh
gpu_state
module_tests tests
step_bench step-v27 "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new
step_bench step-fp32-in-proj -Dmdm.jcuda.bf16InProj=false
step_bench step-one-head -Dmdm.jcuda.twoHeadMinChunks=19
step_bench step-v27b "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new2
gpu_state
{ echo "== bf16 in_proj"; bash $run Probe8; echo "== fp32 in_proj"; MDM_JAVA_OPTS=-Dmdm.jcuda.bf16InProj=false bash $run Probe8; } \
  2>&1 | grep -E '^==|PROBE8' > "$out/probe8.txt"
cat "$out/probe8.txt"
mkdir -p "$keep" && cp "$out"/tests.log "$out"/step-new.json "$out"/probe8.txt "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
