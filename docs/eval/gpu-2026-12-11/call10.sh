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
module_tests
rows=fashion:128,fashion:128:bf16,paper:8,paper:8:bf16
gpu_state
train_bench end-1 $rows
bench_jars start-1 $base .gpu/baseline/mdm-api.jar --only $rows
train_bench end-2 $rows
bench_jars start-2 $base .gpu/baseline/mdm-api.jar --only $rows
fashion60 end60-1
fashion60_jars start60-1 $base .gpu/baseline/mdm-api.jar
fashion60 end60-2
fashion60_jars start60-2 $base .gpu/baseline/mdm-api.jar
gpu_state
# at most 8 files come back
(cd $out && tar czf results.tgz *.json gpu-state.txt && rm *.json gpu-state.txt)
