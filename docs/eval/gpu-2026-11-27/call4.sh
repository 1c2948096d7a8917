#!/usr/bin/env bash
# Fourth GPU call of session 13: both passes over the chunks (forward states, backward G) on tensor cores, 4 blocks
# per SM (BF16 runtimes), against fp32 products by property and 2664f53's jar (TF32 forward, SIMT reverse pass);
# chunks of 16 and 64 by property. Packed with tools/gpu/pack.sh --tests --baseline=2664f53, then, with .gpu carried:
#   bash docs/eval/gpu-2026-11-27/call4.sh $OUT
set -u
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
rows=paper:8:bf16,fashion:128:bf16
tests_and_baseline $rows
train_bench train-tf32 $rows
train_bench train-fp32 $rows -Dmdm.jcuda.chunkProducts=fp32
train_bench train-q16 paper:8:bf16 -Dmdm.jcuda.scanBackward=chunked:16
train_bench train-q64 paper:8:bf16 -Dmdm.jcuda.scanBackward=chunked:64
kernel_profile profile-tf32
grep -E "tb_ssd_(bwd_chunk|fwd)" "$out/profile-tf32.csv" | cut -d, -f4,9,14-20
gpu_state
