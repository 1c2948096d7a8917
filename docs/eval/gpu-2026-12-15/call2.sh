#!/usr/bin/env bash
# Session 31, call 2: why the tensor-core passes over the chunks take ≈ 12 µs a chunk step at paper width (call 1:
# halving their state bytes saved 2 of 131 µs in the forward's pass): ncu's full sections of one launch of each pass
# and the forward pass's stall samples per SASS instruction, on 6ae11a3 (the session's start's kernels). Packed with
# tools/gpu/pack.sh --tests; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-15/lib.sh
gpu_state
passes_ncu passes-full
passes_sass passes-sass
gpu_state
(cd $out && tar czf results.tgz *.txt *.csv 2>/dev/null && rm -f *.txt *.csv)
