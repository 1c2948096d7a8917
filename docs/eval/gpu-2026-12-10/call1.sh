#!/usr/bin/env bash
# Session 26, call 1 (issue 6): the training SSD's chunk length at paper width now that its products run on tensor
# cores (TF32; the automatic choice, 32, was set by session 12's measurement with fp32 CUDA-core products), and ncu's
# full sections for the two largest SSD kernels at Q 32 and Q 64. Packed with tools/gpu/pack.sh; run from the
# repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
q64=-Dmdm.jcuda.scanBackward=chunked:64
q16=-Dmdm.jcuda.scanBackward=chunked:16
gpu_state
train_bench auto-1 paper:8:bf16
train_bench q64-1 paper:8:bf16 "" $q64
train_bench q16-1 paper:8:bf16 "" $q16
train_bench auto-2 paper:8:bf16
train_bench q64-2 paper:8:bf16 "" $q64
gpu_state
# ncu --set full on one launch each of the backward's chunk kernel and the forward's output kernel, Q 32 then Q 64
for q in 32 64; do
  chunk_kernels_ncu ncu-q$q -Dmdm.jcuda.scanBackward=chunked:$q
done
gpu_state
