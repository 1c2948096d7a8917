#!/usr/bin/env bash
# Session 31, call 6: the training package's tests on 2d0bd47 (the chunk kernel's state rows padded by 8),
# paper:8:bf16 against 83b0bd2 (call 5's build, the pack's baseline jar) alternating twice, the SSD kernels' ncu
# times of this build, and fashion:128:bf16 at 60 steps alternating twice. Packed with tools/gpu/pack.sh --tests
# --baseline=83b0bd2; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-15/lib.sh
training_tests
alternate paper:8:bf16
gpu_state
ssd_profile ssd-new
fashion60_alternate 2
gpu_state
(cd $out && tar czf results.tgz *.json *.log *.csv gpu-state.txt 2>/dev/null && rm -f *.json *.log *.csv)
