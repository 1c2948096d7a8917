#!/usr/bin/env bash
# First GPU call of session 12: branch s11-chunked-bwd packed with
#   tools/gpu/pack.sh --tests --baseline=main
# then this script with .gpu carried: the module's tests (BlockTrainerTest runs every shape with the chunked SSD
# backward and with the sequential sweep), then TrainBenchmark of the new build (chunked, then the sweep by property)
# and of main, then a kernel profile of a 4-block paper-width step with the chunked backward.
#   bash docs/eval/gpu-2026-11-26/call4.sh $OUT
set -u
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
module_tests tests
chunked_and_sweep $all_rows
train_bench train-base $all_rows "" .gpu/baseline/mdm-backend-jcuda.jar
kernel_profile profile
grep -E '"tb_ssd|"tb_chunk' "$out/profile.csv" | cut -d, -f4,9,14-20
gpu_state
