#!/usr/bin/env bash
# Session 31, call 7: after the review's cleanup (8757881: the passes' tile-pair stores in one lambda, the optimizer's
# bf16 copy by pack_bf16, one assertion helper in the convergence test), the training package's tests and
# paper:8:bf16 against 83b0bd2 (the pack's baseline jar) alternating twice, with the losses to compare. Packed with
# tools/gpu/pack.sh --tests --baseline=83b0bd2; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-15/lib.sh
training_tests
alternate paper:8:bf16
gpu_state
(cd $out && tar czf results.tgz *.json *.log gpu-state.txt 2>/dev/null && rm -f *.json *.log)
