#!/usr/bin/env bash
# Session 32, call 3: the backward's chunk kernel with swizzled shared rows. Every jcuda test, paper:8:bf16 against
# 8ebe013 (the pack's baseline jar: the session's start, the same kernels but the swizzle) alternating twice, the SSD kernels' ncu
# times of both builds, one ncu full-sections launch of the new chunk kernel, and fashion:128:bf16 at 60 steps
# alternating twice. Packed with tools/gpu/pack.sh --tests --baseline=8ebe013; run from the repository root with .gpu
# carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-16/lib.sh
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
gpu_state
alternate paper:8:bf16
gpu_state
ssd_profile ssd-new
ssd_profile ssd-base $base
chunk_ncu chunk-full-new
fashion60_alternate 2
gpu_state
(cd $out && tar czf results.tgz *.json *.log *.csv *.txt gpu-state.txt 2>/dev/null && rm -f *.json *.log *.csv *.txt)
