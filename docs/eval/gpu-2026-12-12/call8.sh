#!/usr/bin/env bash
# Session 28, call 8: the session's final code (call 5's change reverted, its convergence test kept): the training
# package's tests. Packed with tools/gpu/pack.sh --tests; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-12/lib.sh
training_tests
