#!/usr/bin/env bash
# Session 25, call 5 (issue 6): call 4 with the conv backward loading its rows in batches of 8, and BlockTrainerTest seeded per test. Packed with
# tools/gpu/pack.sh --tests --baseline=4ebfb77; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
training_compare profile-new5
