#!/usr/bin/env bash
# Session 21, call 12 (after a data call): call 5 again on top of the refresh fix (calls 9-11), one minute a run: this
# build, whose Trainer builds each batch a step ahead, against .gpu/baseline/mdm-api.jar (commit 3ecb3f3).
#   bash docs/eval/gpu-2026-12-05/call12.sh $OUT
MINUTES=1.0 exec bash "$(dirname "$0")/call5.sh" "$@"
