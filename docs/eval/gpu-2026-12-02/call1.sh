# Session 18, call 1: the folded mixer's SSD in its quadratic form up to 8 chunks a sequence (ssd_quadratic_tc_fold,
# one head a block, two stages; the build is not kept):
# every jcuda test, then steps as built, with the chunked form everywhere (-Dmdm.jcuda.quadraticMaxChunks=0) and with
# the quadratic form up to 18 chunks (1 092 tokens too), alternating.
# tools/gpu/pack.sh --tests; bash docs/eval/gpu-2026-12-02/call1.sh $OUT/call1
keep=$1
out=/tmp/call1
. docs/eval/gpu-2026-12-02/lib.sh
begin_call
quadratic_steps
end_call
