#!/usr/bin/env bash
# Session 29, call 2: the tensor-core chunk kernel writing its per-head ∂B and ∂C in bf16 (tb_group_sum_bf16). Every
# jcuda test (the kit's training rules at BF16 among them), ncu's times of the chunk kernel and the group sum in a
# 4-block paper-width BF16 step for this build and the baseline jar (call 3 times the rows). Packed with tools/gpu/pack.sh --tests --baseline=84e8c64; run from the repository root
# with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-13/lib.sh
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
gpu_state
sums_profile profile-new
sums_profile profile-base $base
gpu_state
(cd $out && tar czf results.tgz *.json *.log *.csv gpu-state.txt 2>/dev/null && rm -f *.json *.log *.csv)
