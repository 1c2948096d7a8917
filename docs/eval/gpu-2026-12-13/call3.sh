#!/usr/bin/env bash
# Session 29, call 3: call 2's build against the baseline jar (84e8c64): paper:8:bf16 alternating twice, then
# fashion:128:bf16 at 60 steps alternating twice. The same pack as call 2; run from the repository root with .gpu
# carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-13/lib.sh
gpu_state
alternate paper:8:bf16
fashion60_alternate 2
gpu_state
(cd $out && tar czf results.tgz *.json gpu-state.txt 2>/dev/null && rm -f *.json)
