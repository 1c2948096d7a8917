#!/usr/bin/env bash
# Session 30, call 1: AdamW + EMA eight parameters a thread by 16-byte loads, with a decay byte a group of eight in
# place of a byte a parameter. Every jcuda test, ncu's times of the optimizer's kernels in a 4-block paper-width BF16
# step for this build and the baseline jar, then paper:8:bf16 alternating twice with the baseline. Packed with
# tools/gpu/pack.sh --tests --baseline=9bd4111; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-14/lib.sh
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
optimizer_profile optimizer-new
optimizer_profile optimizer-base $base
gpu_state
alternate paper:8:bf16
gpu_state
pack_results
