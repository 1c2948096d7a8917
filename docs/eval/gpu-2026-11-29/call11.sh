# Session 15, call 11 (issue 5): the review build (the SSD scratch offsets named once, no kernel changed), every jcuda
# test and StepBenchmark once, against v31 (7c0f0e4's jar).
# tools/gpu/pack.sh --tests --baseline=7c0f0e4; bash docs/eval/gpu-2026-11-29/call11.sh $OUT
keep=$1
out=/tmp/call11
. docs/eval/gpu-2026-11-29/lib.sh
gpu_state
limited_tests
step step-v31 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-review 90
gpu_state
mkdir -p "$keep" && cp "$out"/tests.log "$out"/step-review.json "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
