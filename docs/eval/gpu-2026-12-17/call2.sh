#!/usr/bin/env bash
# Session 33, call 2: the conv's pre-activation recomputed in its backward (not kept), the pre-norm's backward over row
# ranges, and both norms' backward kernels as one wave of resident blocks. Every jcuda test, then paper:8:bf16 against
# the session's start (9abe96c, the pack's baseline jar) alternating twice, fashion:128:bf16 at 60 steps alternating
# twice, and ncu's time and DRAM bytes of every kernel of a 4-block step of this build. Packed with
# tools/gpu/pack.sh --tests --baseline=9abe96c; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-17/lib.sh
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
gzip -f $out/tests-module.log
gpu_state
alternate paper:8:bf16
fashion60_alternate 2
gpu_state
step_bytes step-bytes-new
gpu_state
(cd $out && tar czf results.tgz *.json *.log.gz gpu-state.txt 2>/dev/null && rm -f *.json *.log.gz)
