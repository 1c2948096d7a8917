#!/usr/bin/env bash
# Session 31, call 4: the training package's tests on eb09ccf (the passes loading each B fragment once for a
# warp's column of tiles, the forward output's x rows padded by 8), then paper:8:bf16 alternating twice over three
# builds: the session's start (43079b3, the pack's baseline jar), the tile pairs (4881a09, .gpu/jars/pairs.jar, built
# here with mvn -pl mdm-backend-jcuda -am package) and this build; the SSD kernels' ncu times of this build, and
# fashion:128:bf16 at 60 steps for this build and the start. Packed with tools/gpu/pack.sh --tests
# --baseline=43079b3; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-15/lib.sh
training_tests
for i in 1 2; do
  train_bench base-$i paper:8:bf16 $base
  train_bench pairs-$i paper:8:bf16 .gpu/jars/pairs.jar
  train_bench new-$i paper:8:bf16
done
gpu_state
ssd_profile ssd-new
fashion60 fashion-new
fashion60 fashion-base $base
gpu_state
(cd $out && tar czf results.tgz *.json *.log *.csv gpu-state.txt 2>/dev/null && rm -f *.json *.log *.csv)
