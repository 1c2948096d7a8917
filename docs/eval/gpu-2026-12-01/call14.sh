# Session 17, call 14: the review build (ssd_chunk_weights through pair_scan, PTX of all 146 kernels unchanged;
# KernelArgs' arguments as records): every jcuda test, then one step.
# tools/gpu/pack.sh --tests; bash docs/eval/gpu-2026-12-01/call14.sh $OUT/call14
keep=$1
out=/tmp/call14
. docs/eval/gpu-2026-12-01/lib.sh
begin_call
step step-new 90
end_call
