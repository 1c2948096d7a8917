#!/usr/bin/env bash
# Session 26, call 16: the session's end (df07e3e) against its start (6a849c3) in one call: TrainBenchmark's four rows,
# alternating twice. Packed as call 15; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
gpu_state
train_bench end-1 fashion:128,fashion:128:bf16,paper:8,paper:8:bf16
train_bench start-1 fashion:128,fashion:128:bf16,paper:8,paper:8:bf16 $base
train_bench end-2 fashion:128,fashion:128:bf16,paper:8,paper:8:bf16
train_bench start-2 fashion:128,fashion:128:bf16,paper:8,paper:8:bf16 $base
gpu_state
