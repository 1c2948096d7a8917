#!/usr/bin/env bash
# Session 29, call 3: tb_group_sum_bf16 eight columns a thread, on top of call 2's bf16 partials. Every jcuda test,
# ncu's times of the chunk kernel and the group sum in a 4-block paper-width BF16 step, then this build against the
# baseline jar (84e8c64): paper:8:bf16 alternating twice, and fashion:128:bf16 at 60 steps alternating twice. Packed with
# tools/gpu/pack.sh --tests --baseline=84e8c64; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-13/lib.sh
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
sums_profile profile-new
gpu_state
alternate paper:8:bf16
fashion60_alternate 2
gpu_state
(cd $out && tar czf results.tgz *.json *.log gpu-state.txt 2>/dev/null && rm -f *.json *.log)
