#!/usr/bin/env bash
# Session 27, call 1 (issue 6): the tensor-core SSD kernels' fragments loaded by ldmatrix where k runs along a shared
# row (the backward chunk kernel's M1 stored transposed so that dx's product is one of them), and the chunk kernel's y
# loaded before its rows. The training package's tests, the two BF16 rows against HEAD's jar alternating twice, the
# per-kernel times of both builds' paper-width steps and the new chunk kernel's SASS counters. Packed with
# tools/gpu/pack.sh --tests --baseline=HEAD; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
training_tests
alternate fashion:128:bf16,paper:8:bf16
gpu_state
paper_profile profile-new
paper_profile profile-base $base
chunk_sass sass-new
pack_logs tests-training.log
