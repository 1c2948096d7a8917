#!/usr/bin/env bash
# Session 26, call 12 (issue 6): the gated norm's backward over four rows a block (tb_gated_norm_bwd_rows*: a row kept
# in registers between its two passes, the weight gradient summed over the block's rows). The training package's
# tests, three TrainBenchmark rows against 671a6da's jar alternating twice, and the per-kernel times of this build's
# fashion and paper-width steps. Packed with tools/gpu/pack.sh --tests --baseline=HEAD (671a6da); run from the
# repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
training_tests
alternate fashion:128,fashion:128:bf16,paper:8:bf16
gpu_state
kernel_profile profile-paper-new
fashion_profile profile-fashion-new
pack_logs tests-training.log
