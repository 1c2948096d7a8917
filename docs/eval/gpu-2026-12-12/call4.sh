#!/usr/bin/env bash
# Session 28, call 4: dt_conv_weights with 16 heads a cluster (the product of a block as large as dt_proj_bf16's)
# against call 3's 32 and against main's two launches: the bit-for-bit test (both widths) and every jcuda test, then the
# step at 324 x 1 in the three forms, alternating four times. Packed with tools/gpu/pack.sh --tests; run from the
# repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-12/lib.sh
fused_and_module_tests
for r in 1 2 3 4; do
  steps heads16-$r 324x1
  steps heads32-$r 324x1 -Dmdm.jcuda.dtConvHeads=32
  steps two-launches-$r 324x1 -Dmdm.jcuda.dtConvWeights=false
done
gpu_state
pack_results
