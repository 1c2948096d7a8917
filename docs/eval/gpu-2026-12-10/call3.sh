#!/usr/bin/env bash
# Session 26, call 3 (issue 6): the TF32 SSD kernels compiled for constant sizes (the paper's heads in chunks of 32,
# fashion's in chunks of 64). The training package's tests (the new ones check the specialized kernels against the
# generic ones bit for bit), then the two BF16 rows of this build with them, without them
# (-Dmdm.jcuda.specializedKernels=false) and of HEAD's jar, alternating, then ncu's full sections for the two
# specialized chunk kernels. Packed with tools/gpu/pack.sh --tests --baseline=HEAD; run from the repository root
# with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
off=-Dmdm.jcuda.specializedKernels=false
rows=paper:8:bf16,fashion:128:bf16
training_tests
gzip -f $out/tests-training.log
train_bench new-1 $rows
train_bench generic-1 $rows "" $off
train_bench base-1 $rows $base
train_bench new-2 $rows
train_bench generic-2 $rows "" $off
train_bench base-2 $rows $base
gpu_state
chunk_kernels_ncu ncu-new
