#!/usr/bin/env bash
# Session 25, call 4 (issue 6): call 3 with the conv backward's input window fixed (its first row shifted an unset register into the weight sums). Packed with
# tools/gpu/pack.sh --tests --baseline=4ebfb77; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
training_compare profile-new4
