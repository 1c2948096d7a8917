#!/usr/bin/env bash
# Session 32, call 4: TrainBenchmark's four rows (fashion and paper, FP32 and BF16) for the session's end (the swizzled
# chunk kernel) and for its start (8ebe013, the pack's baseline jar), alternating twice, for the README's table.
# Packed with tools/gpu/pack.sh --tests --baseline=8ebe013; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-16/lib.sh
rows=fashion:128,fashion:128:bf16,paper:8,paper:8:bf16
gpu_state
train_bench end-1 $rows
train_bench start-1 $rows $base
train_bench end-2 $rows
train_bench start-2 $rows $base
gpu_state
(cd $out && tar czf results.tgz *.json gpu-state.txt 2>/dev/null && rm -f *.json)
