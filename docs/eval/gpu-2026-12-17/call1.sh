#!/usr/bin/env bash
# Session 33, call 1: where a paper-width BF16 step's time goes at the session's start (9abe96c): ncu's time and DRAM
# bytes of every kernel of a 4-block step, and the paper:8:bf16 row's pace. Packed with tools/gpu/pack.sh --tests;
# run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-17/lib.sh
gpu_state
train_bench start paper:8:bf16
step_bytes step-bytes
gpu_state
pack_results
