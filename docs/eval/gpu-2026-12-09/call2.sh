#!/usr/bin/env bash
# Session 25, call 2 (issue 6): the fused conv backward and forward and the bf16-writing norms and gather. Packed with
# tools/gpu/pack.sh --tests --baseline=4ebfb77; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
training_compare profile-new
