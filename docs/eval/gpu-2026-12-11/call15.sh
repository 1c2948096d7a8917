#!/usr/bin/env bash
# Rejected: measured here, not on main. The cubin differs (3 918 040 against 3 923 544 bytes), and both fashion runs
# read slower than both base runs; the measured code stays.
# Session 27, call 15 (review): tb_mma rounds ldmatrix'd fragments through the same ta/tb lambdas as the scalar loads
# (one rounding path instead of two; the same values). The training package's tests and the two BF16 rows against
# HEAD's jar (896f669, the commit before the mend) alternating twice. Packed with tools/gpu/pack.sh --tests
# --baseline=HEAD; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
training_tests
alternate fashion:128:bf16,paper:8:bf16
pack_logs tests-training.log
