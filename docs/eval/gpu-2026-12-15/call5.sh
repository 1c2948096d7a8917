#!/usr/bin/env bash
# Session 31, call 5: every jcuda test on 83b0bd2 (the session's kept kernels: the passes' tile pairs without bank
# conflicts, the forward output's x rows padded by 8), then paper:8:bf16 against the session's start (43079b3, the
# pack's baseline jar) alternating twice, the SSD kernels' ncu times of this build, and fashion:128:bf16 at 60 steps
# alternating twice. Packed with tools/gpu/pack.sh --tests --baseline=43079b3; run from the repository root with .gpu
# carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-15/lib.sh
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
gpu_state
alternate paper:8:bf16
gpu_state
ssd_profile ssd-new
fashion60_alternate 2
gpu_state
(cd $out && tar czf results.tgz *.json *.log *.csv gpu-state.txt 2>/dev/null && rm -f *.json *.log *.csv)
