#!/usr/bin/env bash
# Ninth GPU call of session 13 (branch s13-pipelined-passes): the tensor-core passes over the chunks copy the next
# chunk's inputs by cp.async and compute its decays while the current chunk's products run; against dafb9a6's jar.
# Packed with tools/gpu/pack.sh --tests --baseline=dafb9a6, then, with .gpu carried:
#   bash docs/eval/gpu-2026-11-27/call9.sh $OUT
set -u
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
rows=paper:8:bf16,fashion:128:bf16
tests_and_baseline $rows
train_bench train-pipelined $rows
kernel_profile profile-pipelined
grep -E '"tb_ssd_(bwd|fwd)_chunk' "$out/profile-pipelined.csv" | cut -d, -f4,9,14-20
gpu_state
