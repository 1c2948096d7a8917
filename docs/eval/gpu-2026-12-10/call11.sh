#!/usr/bin/env bash
# Session 26, call 11 (issue 6): per-kernel times of one fashion:128 BF16 step (warmup 1, repeats 1) for this build
# (call 10's) and for 5587b80's jar, and of one 4-block paper-width BF16 step for the jar (call 10 profiled this
# build). Packed as call 10; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
fashion_profile profile-fashion-new
fashion_profile profile-fashion-base $base
MDM_JCUDA_JAR=$base kernel_profile profile-paper-base
