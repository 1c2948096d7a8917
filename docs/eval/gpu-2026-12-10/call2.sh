#!/usr/bin/env bash
# Session 26, call 2 (issue 6): the TF32 SSD kernels' stores (16-byte shared stores of their loaded rows, 8-byte
# global stores of the outputs, a row's decay computed once; the same values): the training package's tests, the
# BF16 paper row against HEAD's jar alternating twice, then ncu's full sections for the two chunk kernels. Packed with
# tools/gpu/pack.sh --tests --baseline=HEAD; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
training_tests
gzip -f $out/tests-training.log
alternate paper:8:bf16
gpu_state
chunk_kernels_ncu ncu-new
