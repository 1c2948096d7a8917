#!/usr/bin/env bash
# Session 28, call 5: a training step no longer clears the gradients its backward writes whole (every block's in_proj
# and out_proj weights: 94 % of the paper's parameters): the training package's tests, then TrainBenchmark's two paper
# rows for this build and the baseline jar (c2ee715, the memset of every gradient), alternating twice. Packed with
# tools/gpu/pack.sh --tests --baseline=c2ee715; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-12/lib.sh
training_tests
alternate paper:8:bf16,paper:8
gpu_state
pack_results
