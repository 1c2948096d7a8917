#!/usr/bin/env bash
# Session 20, call 9 (after tools/gpu/pack.sh --tests, .gpu carried): every jcuda test on the session's final code,
# kit rule MDM-SSD-011 (strong then weak decay within a chunk) among them. Usage: bash docs/eval/gpu-2026-12-04/call9.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
timeout 420 bash .gpu/run.sh --tests > "$out/tests.log" 2>&1
echo "every jcuda test rc=$?"
grep -E "tests (successful|failed|aborted|skipped)|MDM-SSD-011" "$out/tests.log"; grep -m5 -A8 "✘" "$out/tests.log"
