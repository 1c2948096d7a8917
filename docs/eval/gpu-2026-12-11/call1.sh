#!/usr/bin/env bash
# Session 27, call 1 (issue 6): the tensor-core SSD kernels' fragments loaded by ldmatrix where k runs along a shared
# row (the backward chunk kernel's M1 stored transposed so that dx's product is one of them), and the chunk kernel's y
# loaded before its rows. The training package's tests, the two BF16 rows against HEAD's jar alternating twice, the
# per-kernel times of both builds' paper-width steps and the new chunk kernel's SASS counters. Packed with
# tools/gpu/pack.sh --tests --baseline=HEAD; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
compare_and_profile
