#!/usr/bin/env bash
# Fourth GPU call of session 12 (branch s12-chunk-occupancy; rejected, see TRAINING.md): the chunk kernel at ≤ 85
# registers (3 blocks per SM where its shared memory allows: chunks of 16 at the paper's heads) and the chunk length
# by property, beside main's jar. Packed with tools/gpu/pack.sh --tests --baseline=main, then, with .gpu carried:
#   bash docs/eval/gpu-2026-11-26/call6.sh $OUT
set -u
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
rows=paper:8:bf16,fashion:128:bf16
module_tests tests
train_bench train-base $rows "" .gpu/baseline/mdm-backend-jcuda.jar
train_bench train-auto $rows
for q in 8 16 32 64; do
  train_bench train-q$q $rows -Dmdm.jcuda.scanBackward=chunked:$q
done
gpu_state
