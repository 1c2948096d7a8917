#!/usr/bin/env bash
# Session 27, call 7 (issue 6): where the fashion step's kernels spend their time at bbef1ef: ncu's per-kernel times
# of a fashion BF16 step (one warm-up and one timed step), and the backward chunk kernel's full sections and SASS
# counters at fashion's shape (chunks of 64, P 32, N 64). Packed with tools/gpu/pack.sh; run from the repository root
# with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
gpu_state
fashion_profile profile-fashion
fashion_chunk_ncu chunk-fashion
gpu_state
