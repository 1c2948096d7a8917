#!/usr/bin/env bash
# Sixth GPU call of session 12 (branch s12-bf16-operands): bf16 operands the default for a BF16 runtime, rounded four
# columns a thread; against TF32 by property and main's jar (TF32). Packed with
# tools/gpu/pack.sh --tests --baseline=main, then, with .gpu carried:
#   bash docs/eval/gpu-2026-11-26/call8.sh $OUT
set -u
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
rows=paper:8:bf16,fashion:128:bf16,paper:8,fashion:128
module_tests tests
train_bench train-base $rows "" .gpu/baseline/mdm-backend-jcuda.jar
train_bench train-bf16 $rows
train_bench train-tf32 paper:8:bf16,fashion:128:bf16 -Dmdm.jcuda.trainingGemm=tf32
kernel_profile profile-bf16
grep -E '"tr_to_bf16' "$out/profile-bf16.csv" | cut -d, -f4,9,14-20
gpu_state
