#!/usr/bin/env bash
# Session 26, call 14 (issue 6): the loss's host-side index lists (score entropy's rows, the embedding gradient's
# rows) as plain int arrays and a counting sort instead of boxed lists and a TreeMap. The training package's tests, then
# the two fashion rows against 45c5ac7's jar alternating three times. Packed with tools/gpu/pack.sh --tests
# --baseline=HEAD (45c5ac7); run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
training_tests
rows=fashion:128,fashion:128:bf16
for i in 1 2 3; do
  train_bench new-$i $rows
  train_bench base-$i $rows $base
done
gpu_state
pack_logs tests-training.log
