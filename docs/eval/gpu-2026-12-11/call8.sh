#!/usr/bin/env bash
# Session 27, call 8: the session's end (HEAD) against its start (8868b44: its backend and mdm-api jars) in one call:
# TrainBenchmark's four rows alternating twice, then the fashion BF16 row at 60 steps alternating twice. Packed with
# tools/gpu/pack.sh --baseline=8868b44, then 8868b44's mdm-api jar copied to .gpu/baseline/mdm-api.jar; run from the
# repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
end_against_start
