#!/usr/bin/env bash
# Session 26, call 4 (issue 6): ncu's time of every kernel of one 4-block paper-width BF16 step at c7df7fb, to rank
# what is left. Packed with tools/gpu/pack.sh; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
gpu_state
kernel_profile profile-c7df7fb
gpu_state
