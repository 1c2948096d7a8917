#!/usr/bin/env bash
# Session 28, call 3 (and call 4, as call4.sh): dt, the SSD's weights and the conv in one launch (dt_conv_weights_bf16, issue 5): its bit-for-bit
# test and every jcuda test, then the step at 324 x 1 with it and without it (-Dmdm.jcuda.dtConvWeights=false: main's
# two launches), alternating four times. Packed with tools/gpu/pack.sh --tests; run from the repository root with .gpu
# carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-12/lib.sh
fused_and_module_tests
for r in 1 2 3 4; do
  steps fused-$r 324x1
  steps two-launches-$r 324x1 -Dmdm.jcuda.dtConvWeights=false
done
gpu_state
pack_results
