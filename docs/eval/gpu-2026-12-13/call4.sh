#!/usr/bin/env bash
# Session 29, call 4: the bf16 GEMMs of the VAE, the time MLP and the latent maps read the arena's bf16 weight copy
# instead of rounding their weights at each use. Every jcuda test, then this build against the baseline jar (9414be9, the
# build before): paper:8:bf16 alternating twice, and fashion:128:bf16 at 60 steps alternating twice. Packed with
# tools/gpu/pack.sh --tests --baseline=9414be9; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-13/lib.sh
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
gpu_state
alternate paper:8:bf16
fashion60_alternate 2
gpu_state
(cd $out && tar czf results.tgz *.json *.log gpu-state.txt 2>/dev/null && rm -f *.json *.log)
