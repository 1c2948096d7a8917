#!/usr/bin/env bash
# Session 30, call 2: adamw_probe (this folder) over the paper preset's 1 341 M parameters: AdamW + EMA in the build
# before this session's form, with a decay byte a group, 2, 4 and 8 elements a thread, with and without streaming
# cache hints; the gradient norm's first pass as built and by float4; a memset and a copy for the ceiling. Built here
# with nvcc -O3 -arch=sm_90 -std=c++17 -o .gpu/adamw_probe adamw_probe.cu; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-14/lib.sh
gpu_state
.gpu/adamw_probe > $out/adamw-probe.txt 2>&1
echo "probe exit $?"
cat $out/adamw-probe.txt
gpu_state
