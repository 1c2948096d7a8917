#!/usr/bin/env bash
# Session 32, call 1: the EMA out of AdamW's kernel, queued beside the stream at the lowest priority so that it runs
# beside the next step's forward. The training package's tests and the kit's jcuda rules, then paper:8:bf16 against
# the session's start (8ebe013, the pack's baseline jar) alternating twice, this build once with the EMA on the stream
# after AdamW (-Dmdm.jcuda.emaBeside=false), the optimizer's ncu times of both builds, and fashion:128:bf16 at 60
# steps alternating twice. Packed with tools/gpu/pack.sh --tests --baseline=8ebe013; run from the repository root with
# .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-16/lib.sh
gpu_state
tests tests-training --select-package dev.mdm.backend.jcuda.training --select-class dev.mdm.backend.jcuda.JcudaBackendCompatibilityTest
gpu_state
alternate paper:8:bf16
train_bench serial-1 paper:8:bf16 "" -Dmdm.jcuda.emaBeside=false
gpu_state
optimizer_profile optimizer-new
optimizer_profile optimizer-base $base
fashion60_alternate 2
gpu_state
(cd $out && tar czf results.tgz *.json *.log *.csv gpu-state.txt 2>/dev/null && rm -f *.json *.log *.csv)
