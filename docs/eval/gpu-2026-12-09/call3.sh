#!/usr/bin/env bash
# Session 25, call 3 (issue 6): call 2 with the conv backward fixed (it left the last K − 1 rows of din unwritten) and over 32-row spans. Packed with
# tools/gpu/pack.sh --tests --baseline=4ebfb77; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
training_compare profile-new3
