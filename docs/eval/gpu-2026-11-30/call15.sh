# Session 16, call 15: the final review build (launchCluster's argument check) on the H100: every jcuda test.
# tools/gpu/pack.sh --tests; bash docs/eval/gpu-2026-11-30/call15.sh $OUT
keep=$1
out=/tmp/call15
. docs/eval/gpu-2026-11-30/lib.sh
gpu_state
limited_tests
mkdir -p "$keep" && cp "$out"/tests.log "$keep"/
