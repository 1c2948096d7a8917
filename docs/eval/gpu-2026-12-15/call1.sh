#!/usr/bin/env bash
# Session 31, call 1: every jcuda test on b99d875 (the tensor-core passes keep the chunk states and their gradients
# in bf16), then paper:8:bf16 against the session's start (43079b3, the pack's baseline jar) alternating twice, the
# SSD kernels' ncu times of both builds, and fashion:128:bf16 at 60 steps for both. Packed with tools/gpu/pack.sh
# --tests --baseline=43079b3; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-15/lib.sh
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
gpu_state
alternate paper:8:bf16
gpu_state
ssd_profile ssd-new
ssd_profile ssd-base $base
fashion60 fashion-new
fashion60 fashion-base $base
gpu_state
(cd $out && tar czf results.tgz *.json *.log *.csv gpu-state.txt 2>/dev/null && rm -f *.json *.log *.csv)
