#!/usr/bin/env bash
# Session 26, call 7 (issue 6): ncu's time of every kernel of one fashion:128 BF16 step (8 blocks, d 256, batch 128 ×
# 212 tokens: what mdm train runs on the GPU) at 5587b80. Packed with tools/gpu/pack.sh; run from the repository root
# with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
gpu_state
timeout 240 $ncu --target-processes all --clock-control none --cache-control none \
  --metrics gpu__time_duration.sum --print-summary per-kernel --csv bash $run $train --out /tmp/profile.json \
  --only fashion:128:bf16 --warmup 1 --repeats 1 > $out/profile-fashion.csv 2>&1
echo "profile exit $?"
gzip -f $out/profile-fashion.csv
gpu_state
