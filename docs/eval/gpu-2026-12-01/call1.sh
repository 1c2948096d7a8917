# Session 17, call 1: the output kernel's blocks wait for their own chunk's states (-Dmdm.jcuda.chunkReady; rejected,
# chunk-readiness.patch has call 4's form),
# every jcuda test, then steps with and without it, twice each, alternating.
# tools/gpu/pack.sh --tests; bash docs/eval/gpu-2026-12-01/call1.sh $OUT/call1
keep=$1
out=/tmp/call1
. docs/eval/gpu-2026-12-01/lib.sh
begin_call
step step-new 90
step step-noready 90 -Dmdm.jcuda.chunkReady=false
step step-new2 90
step step-noready2 90 -Dmdm.jcuda.chunkReady=false
end_call
