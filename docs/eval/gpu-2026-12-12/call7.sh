#!/usr/bin/env bash
# Session 28, call 7: call 5's build (75de87a and its docs, reverted afterwards): every jcuda test, then the fashion BF16
# row at 60 steps and the fashion FP32 row against c2ee715's jar (before call 5's change), alternating twice. Packed with tools/gpu/pack.sh --tests
# --baseline=c2ee715; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-12/lib.sh
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
fashion60_alternate 2
alternate fashion:128
gpu_state
pack_results
