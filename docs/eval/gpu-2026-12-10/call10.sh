#!/usr/bin/env bash
# Session 26, call 10 (issue 6): the chunked SSD kernels' loads with 32-bit offsets and a constant thread count, and
# the TF32 kernels' mma-only operands rounded once where they are stored (the same values). The training package's
# tests, the four TrainBenchmark rows against 5587b80's jar alternating twice, and the per-kernel times of a 4-block
# paper-width BF16 step. Packed with tools/gpu/pack.sh --tests --baseline=HEAD (5587b80); run from the repository root
# with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
training_tests
alternate fashion:128,fashion:128:bf16,paper:8,paper:8:bf16
gpu_state
kernel_profile profile-new
pack_logs tests-training.log
