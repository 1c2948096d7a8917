#!/usr/bin/env bash
# Session 20, call 8 (after tools/gpu/pack.sh --tests, .gpu carried): after the walkthrough's fixes (kit rule
# MDM-SSD-010, a non-finite x̂0 reported as the model's failure): the kit and the whole-loop test.
# Usage: bash docs/eval/gpu-2026-12-04/call8.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
timeout 200 bash .gpu/run.sh --tests --select-class dev.mdm.backend.jcuda.JcudaBackendCompatibilityTest > "$out/kit.log" 2>&1
echo "kit rc=$?"
timeout 200 bash .gpu/run.sh --tests --select-class dev.mdm.backend.jcuda.JcudaWholeSamplingTest > "$out/whole-sampling-test.log" 2>&1
echo "JcudaWholeSamplingTest rc=$?"
for f in "$out"/*.log; do echo "== $f"; grep -E "tests (successful|failed|aborted|skipped)|MDM-SSD-010" "$f"; grep -m5 -A8 "✘" "$f"; done
