#!/usr/bin/env bash
# Session 25, call 8 (issue 6): the final build (the bf16 stores of the two gated-norm kernels through one tb_stv
# overload, no other kernel change since call 7): every test of the jcuda module, and the BF16 paper row. Packed with
# tools/gpu/pack.sh --tests; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
train_bench final paper:8:bf16,fashion:128:bf16
gpu_state
gzip -f $out/tests-module.log
