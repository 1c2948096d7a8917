#!/usr/bin/env bash
# Session 26, call 5 (issue 6): the TF32 state passes copy chunk k + 1's rows (cp.async, two stages) while chunk k is
# multiplied. The training package's tests, the two BF16 rows against c7df7fb's jar alternating twice, and the
# per-kernel times of a 4-block step. Packed with tools/gpu/pack.sh --tests --baseline=HEAD (c7df7fb); run from the
# repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
training_tests
gzip -f $out/tests-training.log
alternate paper:8:bf16,fashion:128:bf16
gpu_state
kernel_profile profile-new
