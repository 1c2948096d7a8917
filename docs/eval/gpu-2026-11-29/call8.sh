# Session 15, call 8 (issue 5): the bf16-input conv keeps its 11 input rows packed (two registers a row, not four) and
# the conv + weights launch is bounded to 64 registers, eight blocks an SM (it was 80, six); against v29 (0ec2f76's
# jar); every jcuda test.
# tools/gpu/pack.sh --tests --baseline=0ec2f76; bash docs/eval/gpu-2026-11-29/call8.sh $OUT
keep=$1
out=/tmp/call8
. docs/eval/gpu-2026-11-29/lib.sh
gpu_state
limited_tests
step_bench step-v29 "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new
step_bench step-v29b "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new2
step_bench step-v29c "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new3
gpu_state
mkdir -p "$keep" && cp "$out"/tests.log "$out"/step-new.json "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
