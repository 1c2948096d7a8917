#!/usr/bin/env bash
# Session 26, call 13 (issue 6): where a fashion:128 BF16 step's wall time goes beyond its kernels (call 12: ≈ 20 ms of
# kernels in a 31-34 ms step): a Java Flight Recording of TrainBenchmark's fashion row (40 steps). Packed with
# tools/gpu/pack.sh; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
fashion_jfr 40
ls -la $out
