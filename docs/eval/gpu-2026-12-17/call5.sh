#!/usr/bin/env bash
# Session 33, call 5: the norms' backward kernels sharing one helper for the row scale and coefficient (the same
# arithmetic in the same order; nvcc's cubin changed size, so the tests say whether anything else changed): every
# jcuda test and paper:8:bf16 once. Packed with tools/gpu/pack.sh --tests; run from the repository root with .gpu
# carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-17/lib.sh
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
gzip -f $out/tests-module.log
train_bench end paper:8:bf16
gpu_state
(cd $out && tar czf results.tgz *.json *.log.gz gpu-state.txt 2>/dev/null && rm -f *.json *.log.gz)
