# Session 15, call 5 (issue 5): on v28, three smaller cuts, each with a property to turn it off: the bf16 conv eight
# channels a thread (-Dmdm.jcuda.convVec8), the SSD's weights in the conv's launch (-Dmdm.jcuda.convWithWeights), and
# out_proj written in bf16 for the next add+RMSNorm (-Dmdm.jcuda.bf16MixerOut); against v28 (1fe5751's jar); every
# jcuda test; Probe8 with and without the bf16 out_proj.
# tools/gpu/pack.sh --tests --baseline=1fe5751; javac Probe8 into .gpu/test-classes; bash docs/eval/gpu-2026-11-29/call5.sh $OUT
keep=$1
out=/tmp/call5
. docs/eval/gpu-2026-11-29/lib.sh
gpu_state
limited_tests
step_bench step-v28 "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new
step_bench step-no-vec8 -Dmdm.jcuda.convVec8=false
step_bench step-no-merge -Dmdm.jcuda.convWithWeights=false
step_bench step-fp32-out -Dmdm.jcuda.bf16MixerOut=false
step_bench step-v28b "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new2
gpu_state
{ echo "== bf16 out_proj"; bash $run Probe8; echo "== fp32 out_proj"; MDM_JAVA_OPTS=-Dmdm.jcuda.bf16MixerOut=false bash $run Probe8; } \
  2>&1 | grep -E '^==|PROBE8' > "$out/probe8.txt"
cat "$out/probe8.txt"
mkdir -p "$keep" && cp "$out"/tests.log "$out"/step-new.json "$out"/probe8.txt "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
