#!/usr/bin/env bash
# Session 30, call 5: after the review (a96edbc), TrainBenchmark's fashion:128:bf16 row for this build and the
# session's start (9bd4111), to see lossLast back at the last timed step's, as the start's build reports it.
# Packed with tools/gpu/pack.sh --tests --baseline=9bd4111; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-14/lib.sh
train_bench review fashion:128:bf16
train_bench start fashion:128:bf16 $base
(cd $out && for f in review start; do grep -o '"lossFirst": [^,]*, "lossLast": [^}]*' $f.json | sed "s/^/$f /"; done)
