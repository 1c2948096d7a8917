#!/usr/bin/env bash
# Session 26, call 17 (issue 6): a longer Java Flight Recording of the fashion BF16 row (300 timed steps, so that the
# steady state dominates the samples) at 934f161. Packed with tools/gpu/pack.sh; run from the repository root with
# .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
MDM_JAVA_OPTS="-XX:StartFlightRecording=filename=$out/fashion.jfr,settings=profile" timeout 300 bash $run $train \
  --out $out/fashion.json --only fashion:128:bf16 --warmup 3 --repeats 300 2>&1 | grep -E '^fashion|rror|xception'
