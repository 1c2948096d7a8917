#!/usr/bin/env bash
# Session 29, call 5: tb_group_sum_bf16 four columns a thread with eight heads' loads in flight, against the eight-column
# form (the baseline jar, f50a039). The training package's tests, ncu's times of the chunk kernel and the group sum in a
# 4-block paper-width BF16 step for both builds, then paper:8:bf16 alternating twice. Packed with tools/gpu/pack.sh
# --tests --baseline=f50a039; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-13/lib.sh
training_tests
sums_profile profile-new
sums_profile profile-base $base
alternate paper:8:bf16
gpu_state
(cd $out && tar czf results.tgz *.json *.log *.csv gpu-state.txt 2>/dev/null && rm -f *.json *.log *.csv)
