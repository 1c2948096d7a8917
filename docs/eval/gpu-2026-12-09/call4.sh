#!/usr/bin/env bash
# Session 25, call 4 (issue 6): call 3 with the conv backward's input window fixed (its first row shifted an unset register into the weight sums). Packed with
# tools/gpu/pack.sh --tests --baseline=4ebfb77; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
gpu_state
tests tests-training --select-package dev.mdm.backend.jcuda.training
gpu_state
rows=paper:8:bf16,fashion:128:bf16
train_bench new-1 $rows
train_bench base-1 $rows $base
train_bench new-2 $rows
train_bench base-2 $rows $base
gpu_state
kernel_profile profile-new4
