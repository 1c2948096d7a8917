#!/usr/bin/env bash
# Session 27, call 10: fashion's tensor-core SSD in chunks of 32 by default (BlockTrainer.TENSOR_CORE_CHUNKS, the
# kernels compiled for (32, 32, 64) besides (64, 32, 64), which its fp32 runtime keeps). Every jcuda test, then the
# session's end against its start (8868b44: its backend and mdm-api jars) as call 8: TrainBenchmark's four rows
# alternating twice, then the fashion BF16 row at 60 steps alternating twice. Packed with tools/gpu/pack.sh --tests
# --baseline=8868b44, then 8868b44's mdm-api jar copied to .gpu/baseline/mdm-api.jar; run from the repository root
# with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
tests_then_end_against_start
