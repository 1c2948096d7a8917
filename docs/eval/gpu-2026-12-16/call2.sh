#!/usr/bin/env bash
# Session 32, call 2: ncu's full sections and SASS stall samples of one launch of the backward's tensor-core chunk
# kernel at the paper's shape (541912d, the session's start's kernels), to see what bounds it. Packed with
# tools/gpu/pack.sh --tests; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-16/lib.sh
gpu_state
chunk_ncu chunk-full
chunk_sass chunk-sass
gpu_state
(cd $out && tar czf results.tgz *.txt *.csv.gz gpu-state.txt 2>/dev/null && rm -f *.txt *.csv.gz)
