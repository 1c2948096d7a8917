#!/usr/bin/env bash
# Seventh GPU call of session 13: where the session's training changes leave TrainBenchmark's four rows, against the
# session's starting point (94db6c2's jar) in the same call. Packed with tools/gpu/pack.sh --tests --baseline=94db6c2,
# then, with .gpu carried:
#   bash docs/eval/gpu-2026-11-27/call7.sh $OUT
set -u
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
gpu_state
train_bench train-start $all_rows "" .gpu/baseline/mdm-backend-jcuda.jar
train_bench train-end $all_rows
gpu_state
train_bench train-end-repeat paper:8:bf16
train_bench train-start-repeat paper:8:bf16 "" .gpu/baseline/mdm-backend-jcuda.jar
gpu_state
