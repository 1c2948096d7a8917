#!/usr/bin/env bash
# Session 31, call 3: the training package's tests on 4881a09 (the tensor-core passes without bank conflicts, two
# tiles a fragment), paper:8:bf16 against the session's start (43079b3, the pack's baseline jar) alternating twice,
# the SSD kernels' ncu times of this build (call 1 has the start's), and fashion:128:bf16 at 60 steps for both.
# Packed with tools/gpu/pack.sh --tests --baseline=43079b3; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-15/lib.sh
training_tests
alternate paper:8:bf16
gpu_state
ssd_profile ssd-new
fashion60 fashion-new
fashion60 fashion-base $base
gpu_state
(cd $out && tar czf results.tgz *.json *.log *.csv gpu-state.txt 2>/dev/null && rm -f *.json *.log *.csv)
