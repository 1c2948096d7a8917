#!/usr/bin/env bash
# Second GPU call of session 13: the SSD backward's chunk kernel with its products on tensor cores in TF32 (BF16
# runtimes), against fp32 products by property and 4132c96's jar (kept activations, fp32 products). Packed with
# tools/gpu/pack.sh --tests --baseline=4132c96, then, with .gpu carried:
#   bash docs/eval/gpu-2026-11-27/call2.sh $OUT
set -u
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
rows=paper:8:bf16,fashion:128:bf16
tests_and_baseline $rows
train_bench train-tf32 $rows
train_bench train-fp32 $rows -Dmdm.jcuda.chunkProducts=fp32
kernel_profile profile-tf32
grep -E 'tb_ssd_bwd_chunk' "$out/profile-tf32.csv" | cut -d, -f4,9,14-20
gpu_state
