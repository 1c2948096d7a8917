#!/usr/bin/env bash
# Sixth GPU call of session 13: the bf16 GEMMs read a bf16 weight copy (written by the upload and by AdamW) and the
# backward reads in_proj's and out_proj's inputs as the forward rounded them, against 9065470's jar (which rounds
# every operand at every use). Packed with tools/gpu/pack.sh --tests --baseline=9065470, then, with .gpu carried:
#   bash docs/eval/gpu-2026-11-27/call6.sh $OUT
set -u
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
rows=paper:8:bf16,fashion:128:bf16
tests_and_baseline $rows
train_bench train-bf16-copy $rows
grep -h -o '"preset": "[a-z]*"\|"lossFirst": [0-9.e+-]*' "$out/train-base.json" "$out/train-bf16-copy.json" | paste - - 
kernel_profile profile-bf16-copy
grep -E '"(tr_to_bf16|tm_adamw)' "$out/profile-bf16-copy.csv" | cut -d, -f4,9,14-20
gpu_state
