#!/usr/bin/env bash
# Session 25, call 14 (issue 6): at BF16, out_proj's forward output and the dX of out_proj and in_proj come out of
# cuBLAS in bf16 (call 9's probe: ≈ 16 µs a block in the GEMMs, and half the bytes for the kernels that read them).
# Packed with tools/gpu/pack.sh --tests --baseline=HEAD (the build before the change); run from the repository root
# with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
module_and_alternate paper:8:bf16,fashion:128:bf16
