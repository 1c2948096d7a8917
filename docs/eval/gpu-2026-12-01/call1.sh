# Session 17, call 1: the output kernel's blocks wait for their own chunk's states (v34, -Dmdm.jcuda.chunkReady),
# every jcuda test, then steps with and without it, twice each, alternating.
# tools/gpu/pack.sh --tests; bash docs/eval/gpu-2026-12-01/call1.sh $OUT
keep=$1
out=/tmp/call1
. docs/eval/gpu-2026-12-01/lib.sh
gpu_state
limited_tests
step step-new 90
step step-noready 90 -Dmdm.jcuda.chunkReady=false
step step-new2 90
step step-noready2 90 -Dmdm.jcuda.chunkReady=false
gpu_state
mkdir -p "$keep" && cp "$out"/tests.log "$out"/step-*.json "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
