#!/usr/bin/env bash
# Session 26, call 12 (issue 6): the gated norm's backward over four rows a block (tb_gated_norm_bwd_rows*: a row kept
# in registers between its two passes, the weight gradient summed over the block's rows). The training package's
# tests, three TrainBenchmark rows against 671a6da's jar alternating twice, and the per-kernel times of this build's
# fashion and paper-width steps. Packed with tools/gpu/pack.sh --tests --baseline=HEAD (671a6da); run from the
# repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
gpu_state
tests tests-training --select-package dev.mdm.backend.jcuda.training
gpu_state
alternate fashion:128,fashion:128:bf16,paper:8:bf16
gpu_state
kernel_profile profile-paper-new
timeout 240 $ncu --target-processes all --clock-control none --cache-control none \
  --metrics gpu__time_duration.sum --print-summary per-kernel --csv bash $run $train --out /tmp/profile.json \
  --only fashion:128:bf16 --warmup 1 --repeats 1 > $out/profile-fashion-new.csv 2>&1
echo "fashion profile exit $?"
gzip -f $out/profile-fashion-new.csv
tar czf $out/logs.tgz -C $out tests-training.log gpu-state.txt && rm $out/tests-training.log $out/gpu-state.txt
