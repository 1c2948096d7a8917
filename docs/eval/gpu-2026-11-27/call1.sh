#!/usr/bin/env bash
# First GPU call of session 13: the blocks' activations kept from forward to backward (no recomputation) where they
# fit, against recomputation by property and main's jar. Packed with tools/gpu/pack.sh --tests --baseline=main, then,
# with .gpu carried:
#   bash docs/eval/gpu-2026-11-27/call1.sh $OUT
set -u
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
rows=paper:8:bf16,fashion:128:bf16,paper:8,fashion:128
gpu_state
module_tests tests
train_bench train-base $rows "" .gpu/baseline/mdm-backend-jcuda.jar
train_bench train-keep $rows
train_bench train-recompute paper:8:bf16,fashion:128:bf16 -Dmdm.jcuda.activations=recompute
kernel_profile profile-keep
gpu_state
