#!/usr/bin/env bash
# Session 26, call 7 (issue 6): ncu's time of every kernel of one fashion:128 BF16 step (8 blocks, d 256, batch 128 ×
# 212 tokens: what mdm train runs on the GPU) at 5587b80. Packed with tools/gpu/pack.sh; run from the repository root
# with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
gpu_state
fashion_profile profile-fashion
gpu_state
