#!/usr/bin/env bash
# Session 27, call 8: the session's end (HEAD) against its start (8868b44: its backend and mdm-api jars) in one call:
# TrainBenchmark's four rows alternating twice, then the fashion BF16 row at 60 steps alternating twice. Packed with
# tools/gpu/pack.sh --baseline=8868b44, then 8868b44's mdm-api jar copied to .gpu/baseline/mdm-api.jar; run from the
# repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
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
