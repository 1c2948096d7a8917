#!/usr/bin/env bash
# Session 26, call 6 (issue 6): the fp32 chunk kernel compiled for constant sizes too (an FP32 runtime's). The
# training package's tests (the specialized kernels against the generic ones bit for bit, TF32 and fp32), then the
# two FP32 rows with and without the specialized kernels (-Dmdm.jcuda.specializedKernels=false), alternating twice.
# Packed with tools/gpu/pack.sh --tests; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
off=-Dmdm.jcuda.specializedKernels=false
rows=paper:8,fashion:128
training_tests
gzip -f $out/tests-training.log
train_bench new-1 $rows
train_bench generic-1 $rows "" $off
train_bench new-2 $rows
train_bench generic-2 $rows "" $off
gpu_state
