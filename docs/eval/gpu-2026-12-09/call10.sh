#!/usr/bin/env bash
# Session 25, call 10 (issue 6): in_proj's and out_proj's weight gradients written (cuBLAS beta 0) instead of added,
# as call 9's probe (probe_train_gemm.cu) priced it. Packed with tools/gpu/pack.sh --tests --baseline=2143829; run from
# the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
rows=paper:8:bf16,paper:8
train_bench new-1 $rows
train_bench base-1 $rows $base
train_bench new-2 paper:8:bf16
train_bench base-2 paper:8:bf16 $base
gpu_state
gzip -f $out/tests-module.log
