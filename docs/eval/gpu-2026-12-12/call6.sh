#!/usr/bin/env bash
# Session 28, call 6: where the host is during a paper BF16 step (call 5: clearing 5.4 GB of gradients less saved
# 3.3 ms a FP32 step but nothing at BF16, as if the GPU waited for the host there): a Java Flight Recording of 40 timed
# steps. Packed as call 5; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-12/lib.sh
gpu_state
paper_jfr 40
gpu_state
