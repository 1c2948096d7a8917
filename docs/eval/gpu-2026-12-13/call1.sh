#!/usr/bin/env bash
# Session 29, call 1: the backward's chunk kernel taking several heads a block, summing their ∂B and ∂C before they
# leave it (mdm.jcuda.chunkHeadsPerBlock; 1 is the previous build's launch). The training package's tests, ncu's times
# of the chunk kernel and tb_group_sum at 1, 2 and 4 heads a block, then paper:8:bf16 at 1, 2, 4 and 8, alternating
# twice. Packed with tools/gpu/pack.sh --tests; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-13/lib.sh
training_tests
for h in 1 2 4; do heads_profile profile-heads$h $h; done
gpu_state
for round in 1 2; do
  for h in 1 2 4 8; do heads_bench heads$h-$round paper:8:bf16 $h; done
done
gpu_state
(cd $out && tar czf results.tgz *.json *.log *.csv gpu-state.txt 2>/dev/null && rm -f *.json *.log *.csv)
