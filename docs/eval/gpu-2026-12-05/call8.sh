#!/usr/bin/env bash
# Session 21, call 8: call 6 again after the review fixes (kit rule MDM-BAD-006, per-sample noise, the API and
# kit changes (the kit now skips per test when it cannot run, names rules in failures, MDM-BAD reports accepted
# inputs; DPM-Solver refuses steps above T). Usage: bash docs/eval/gpu-2026-12-05/call8.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
timeout 420 bash .gpu/run.sh --tests > "$out/tests.log" 2>&1
echo "every jcuda test rc=$?"
grep -E "tests (successful|failed|aborted|skipped)" "$out/tests.log"; grep -m5 -A8 "✘" "$out/tests.log"
