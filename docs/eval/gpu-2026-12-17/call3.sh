#!/usr/bin/env bash
# Session 33, call 3: the gated norm backward's row-range kernel with w and its weight-gradient sums in shared memory
# and three blocks an SM (__launch_bounds__(256, 3): 80 registers, ~100 bytes of spills), against call 2's build
# (8a57427, the pack's baseline jar): the training package's tests, paper:8:bf16 alternating twice, and ncu's time and
# DRAM bytes of every kernel of a 4-block step of both builds. Packed with tools/gpu/pack.sh --tests --baseline=8a57427;
# run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-17/lib.sh
gpu_state
tests tests-training --select-package dev.mdm.backend.jcuda.training
gzip -f $out/tests-training.log
gpu_state
alternate paper:8:bf16
gpu_state
step_bytes step-bytes-new
step_bytes step-bytes-base $base
gpu_state
(cd $out && tar czf results.tgz *.json *.log.gz gpu-state.txt 2>/dev/null && rm -f *.json *.log.gz)
