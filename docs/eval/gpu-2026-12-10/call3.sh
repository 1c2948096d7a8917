#!/usr/bin/env bash
# Session 26, call 3 (issue 6): the TF32 SSD kernels compiled for constant sizes (the paper's heads in chunks of 32,
# fashion's in chunks of 64). The training package's tests (the new ones check the specialized kernels against the
# generic ones bit for bit), then the two BF16 rows of this build with them, without them
# (-Dmdm.jcuda.specializedKernels=false) and of HEAD's jar, alternating, then ncu's full sections for the two
# specialized chunk kernels. Packed with tools/gpu/pack.sh --tests --baseline=HEAD; run from the repository root
# with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
off=-Dmdm.jcuda.specializedKernels=false
rows=paper:8:bf16,fashion:128:bf16
gpu_state
tests tests-training --select-package dev.mdm.backend.jcuda.training
gzip -f $out/tests-training.log
gpu_state
train_bench new-1 $rows
train_bench generic-1 $rows "" $off
train_bench base-1 $rows $base
train_bench new-2 $rows
train_bench generic-2 $rows "" $off
train_bench base-2 $rows $base
gpu_state
timeout 200 $ncu --target-processes all --set full -k regex:'tb_ssd_(bwd_chunk|fwd_chunk_output)_tf32' -c 2 \
  --page details bash $run $train --out /tmp/p.json --only paper:8:bf16 --blocks 1 --warmup 0 --repeats 1 \
  > $out/ncu-new.txt 2>&1
echo "ncu exit $?"
gzip -f $out/ncu-new.txt
