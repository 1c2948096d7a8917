#!/usr/bin/env bash
# Session 30, call 4: the training package's tests after the tests' cleanup (the final code's kernels and Java are
# call 3's). Packed with tools/gpu/pack.sh --tests; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-14/lib.sh
training_tests
pack_results
