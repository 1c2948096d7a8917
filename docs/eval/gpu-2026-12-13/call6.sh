#!/usr/bin/env bash
# Session 29, call 6: the review's cleanup (one route to a weight's bf16 copy; tb_group_sum_bf16 widening through the
# shared helper) against the build before it (1bb9453). Every jcuda test, ncu's times of the chunk kernel and the group
# sum for both builds, then paper:8:bf16 alternating twice. Packed with tools/gpu/pack.sh --tests --baseline=1bb9453; run
# from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-13/lib.sh
tests tests-module --select-package dev.mdm.backend.jcuda
sums_profile profile-new
sums_profile profile-base $base
alternate paper:8:bf16
gpu_state
(cd $out && tar czf results.tgz *.json *.log *.csv gpu-state.txt 2>/dev/null && rm -f *.json *.log *.csv)
