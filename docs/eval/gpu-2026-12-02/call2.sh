# Session 18, call 2: the quadratic form with four heads a block sharing B and C·Bᵀ, three stages (call 1's one head
# a block, two stages, was slower than the chunked form): every jcuda test, then the steps of call 1.
# tools/gpu/pack.sh --tests; bash docs/eval/gpu-2026-12-02/call2.sh $OUT/call2
keep=$1
out=/tmp/call2
. docs/eval/gpu-2026-12-02/lib.sh
begin_call
quadratic_steps
end_call
