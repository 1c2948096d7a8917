#!/usr/bin/env bash
# Fifth GPU call of session 12 (branch s12-bf16-operands): training GEMMs with bf16 operands rounded by our own
# kernel (-Dmdm.jcuda.trainingGemm=bf16) against the TF32 default, beside main's jar. Packed with
# tools/gpu/pack.sh --tests --baseline=main, then, with .gpu carried:
#   bash docs/eval/gpu-2026-11-26/call7.sh $OUT
set -u
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
rows=paper:8:bf16,fashion:128:bf16
module_tests tests-tf32
module_tests tests-bf16 -Dmdm.jcuda.trainingGemm=bf16
train_bench train-base $rows "" .gpu/baseline/mdm-backend-jcuda.jar
train_bench train-tf32 $rows
train_bench train-bf16 $rows -Dmdm.jcuda.trainingGemm=bf16
kernel_profile profile-bf16 -Dmdm.jcuda.trainingGemm=bf16
grep -E 'gemm|nvjet|tr_to_bf16' "$out/profile-bf16.csv" | cut -d, -f4,5,6,9,15 | cut -c1-200 | head -30
gpu_state
