# Session 15, call 6 (issue 5): call 5's weights-in-the-conv launch on the four-channel bf16 conv (the eight-channel
# conv it rode on was slower), with out_proj in bf16; each off by its property, against v28 (1fe5751's jar); every
# jcuda test.
# tools/gpu/pack.sh --tests --baseline=1fe5751; bash docs/eval/gpu-2026-11-29/call6.sh $OUT
keep=$1
out=/tmp/call6
. docs/eval/gpu-2026-11-29/lib.sh
gpu_state
limited_tests
step_bench step-v28 "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new
step_bench step-no-merge -Dmdm.jcuda.convWithWeights=false
step_bench step-fp32-out -Dmdm.jcuda.bf16MixerOut=false
step_bench step-v28b "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new2
step_bench step-no-merge2 -Dmdm.jcuda.convWithWeights=false
gpu_state
mkdir -p "$keep" && cp "$out"/tests.log "$out"/step-new.json "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
