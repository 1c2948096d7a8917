#!/usr/bin/env bash
# Eighth GPU call of session 13: the chunk kernel takes ⟨G_c, S_c⟩ from S_{c−1}, which it loads anyway, and its own
# dB epilogue (no read of S_c), and the gated norm's forward and backward move four columns a thread; against
# f2b4e61's jar. Packed with tools/gpu/pack.sh --tests --baseline=f2b4e61, then, with .gpu carried:
#   bash docs/eval/gpu-2026-11-27/call8.sh $OUT
set -u
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
rows=paper:8:bf16,fashion:128:bf16,paper:8
tests_and_baseline $rows
train_bench train-gs $rows
kernel_profile profile-gs
grep -E '"(tb_ssd_bwd_chunk|tb_gated_norm)' "$out/profile-gs.csv" | cut -d, -f4,9,14-20
gpu_state
