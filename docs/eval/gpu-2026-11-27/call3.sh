#!/usr/bin/env bash
# Third GPU call of session 13: the SSD forward in chunks on tensor cores (TF32) beside the TF32 chunk kernel (BF16
# runtimes), against fp32 products by property and f95b5ae's jar (TF32 chunk kernel, sequential forward). Packed with
# tools/gpu/pack.sh --tests --baseline=f95b5ae, then, with .gpu carried:
#   bash docs/eval/gpu-2026-11-27/call3.sh $OUT
set -u
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
rows=paper:8:bf16,fashion:128:bf16
tests_and_baseline $rows
train_bench train-tf32 $rows
train_bench train-fp32 $rows -Dmdm.jcuda.chunkProducts=fp32
kernel_profile profile-tf32
grep -E "tb_ssd_(bwd_chunk|fwd)" "$out/profile-tf32.csv" | cut -d, -f4,9,14-20
gpu_state
