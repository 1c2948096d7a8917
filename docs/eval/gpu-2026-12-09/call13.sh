#!/usr/bin/env bash
# Session 25, call 13 (issue 6): the session's end (cdbc78d) against its start (4ebfb77) in one call: TrainBenchmark's
# four rows each, then the BF16 paper row once more each. Packed with tools/gpu/pack.sh --baseline=4ebfb77; run from the
# repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
gpu_state
all=fashion:128,fashion:128:bf16,paper:8,paper:8:bf16
train_bench end-all $all
train_bench start-all $all $base
train_bench end-2 paper:8:bf16
train_bench start-2 paper:8:bf16 $base
gpu_state
