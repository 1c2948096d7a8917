# Session 14, call 9: every jcuda test on the final tree (the paper-head mixer test now also at 1 100 tokens, where
# BF16's mixer without the fold keeps the two-launch form with bf16 own states). bash docs/eval/gpu-2026-11-28/call9.sh $OUT
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
gpu_state
module_tests tests
gpu_state
