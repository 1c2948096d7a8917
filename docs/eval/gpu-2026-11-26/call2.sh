#!/usr/bin/env bash
# Session 11's second GPU call: branch s11-scan-every2 packed with tools/gpu/pack.sh --tests --baseline=main.
#   bash docs/eval/gpu-2026-11-26/call2.sh $OUT
set -u
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
module_tests tests
train_bench train-new $all_rows
train_bench train-base $all_rows "" .gpu/baseline/mdm-backend-jcuda.jar
kernel_profile profile
grep -E '"tb_ssd' "$out/profile.csv" | cut -d, -f4,9,14-20
gpu_state
