#!/usr/bin/env bash
# Session 26, call 18 (issue 6): the loss's index lists built after the denoiser's forward is queued (while the GPU runs
# it) instead of before the first upload. The training package's tests, then the fashion BF16 row with 60 timed steps
# (call 17: its median falls from ≈ 30 to 26.5 ms as the JIT warms), this build against 934f161's jar alternating
# three times. Packed with tools/gpu/pack.sh --tests --baseline=HEAD (934f161); run from the repository root with
# .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
training_tests
fashion60() {
  MDM_JCUDA_JAR="${2:-}" timeout 200 bash $run $train --out "$out/$1.json" --only fashion:128:bf16 --repeats 60 2>&1 \
    | grep -E '^fashion|rror|xception' | sed "s/^/$1 /"
}
for i in 1 2 3; do
  fashion60 new-$i
  fashion60 base-$i $base
done
gpu_state
pack_logs tests-training.log
