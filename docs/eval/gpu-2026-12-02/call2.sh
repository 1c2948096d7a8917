# Session 18, call 2: the quadratic form with four heads a block sharing B and C·Bᵀ, three stages (call 1: one head a block, two stages, was slower than the chunked form):
# every jcuda test, then steps as built, with the chunked form everywhere (-Dmdm.jcuda.quadraticMaxChunks=0) and with
# the quadratic form up to 18 chunks (1 092 tokens too), alternating.
# tools/gpu/pack.sh --tests; bash docs/eval/gpu-2026-12-02/call2.sh $OUT/call2
keep=$1
out=/tmp/call2
. docs/eval/gpu-2026-12-02/lib.sh
begin_call
step step-new 90
step step-chunked 90 -Dmdm.jcuda.quadraticMaxChunks=0
step step-quad18 90 -Dmdm.jcuda.quadraticMaxChunks=18
step step-new2 90
step step-chunked2 90 -Dmdm.jcuda.quadraticMaxChunks=0
end_call
