#!/usr/bin/env bash
# Session 27, call 14: the final code (7fc5514: fashion's heads in chunks of 32 with either products, the chunk
# kernel's launch bounds) against the session's start (8868b44: its backend and mdm-api jars) as calls 8 and 10: every
# jcuda test, TrainBenchmark's four rows alternating twice, the fashion BF16 row at 60 steps alternating twice. Packed
# with tools/gpu/pack.sh --tests --baseline=8868b44, then 8868b44's mdm-api jar copied to .gpu/baseline/mdm-api.jar;
# run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
tests_then_end_against_start
