#!/usr/bin/env bash
# Session 26, call 2 (issue 6): the TF32 SSD kernels' stores (16-byte shared stores of their loaded rows, 8-byte
# global stores of the outputs, a row's decay computed once; the same values): the training package's tests, the
# BF16 paper row against HEAD's jar alternating twice, then ncu's full sections for the two chunk kernels. Packed with
# tools/gpu/pack.sh --tests --baseline=HEAD; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
gpu_state
tests tests-training --select-package dev.mdm.backend.jcuda.training
gzip -f $out/tests-training.log
gpu_state
alternate paper:8:bf16
gpu_state
timeout 200 $ncu --target-processes all --set full -k regex:'tb_ssd_(bwd_chunk|fwd_chunk_output)_tf32' -c 2 \
  --page details bash $run $train --out /tmp/p.json --only paper:8:bf16 --blocks 1 --warmup 0 --repeats 1 \
  > $out/ncu-new.txt 2>&1
echo "ncu exit $?"
gzip -f $out/ncu-new.txt
