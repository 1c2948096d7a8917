#!/usr/bin/env bash
# Session 26, call 8 (issue 6): fashion's chunk length now that its chunk products run on tensor cores: per-kernel
# times of one fashion:128 BF16 step (warmup 1, repeats 1) in chunks of 64 and of 32, both with the generic kernels
# (-Dmdm.jcuda.specializedKernels=false; only chunks of 64 have specialized ones), then TrainBenchmark's row for each,
# alternating twice. Packed with tools/gpu/pack.sh; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
gen=-Dmdm.jcuda.specializedKernels=false
gpu_state
for q in 64 32; do
  fashion_profile profile-fashion-q$q "" "$gen -Dmdm.jcuda.scanBackward=chunked:$q"
done
gpu_state
for i in 1 2; do
  train_bench q64-$i fashion:128:bf16 "" "$gen -Dmdm.jcuda.scanBackward=chunked:64"
  train_bench q32-$i fashion:128:bf16 "" "$gen -Dmdm.jcuda.scanBackward=chunked:32"
done
gpu_state
