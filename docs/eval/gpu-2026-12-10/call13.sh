#!/usr/bin/env bash
# Session 26, call 13 (issue 6): where a fashion:128 BF16 step's wall time goes beyond its kernels (call 12: ≈ 20 ms of
# kernels in a 31-34 ms step): a Java Flight Recording of TrainBenchmark's fashion row (40 steps). Packed with
# tools/gpu/pack.sh; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
MDM_JAVA_OPTS="-XX:StartFlightRecording=filename=$out/fashion.jfr,settings=profile" timeout 200 bash $run $train \
  --out $out/fashion.json --only fashion:128:bf16 --warmup 3 --repeats 40 2>&1 | grep -E '^fashion|rror|xception'
ls -la $out
