#!/usr/bin/env bash
# Session 20, call 10 (after tools/gpu/pack.sh --tests, .gpu carried): after a review of the late fixes (raw denoiser outputs flagged on the device as the host now checks them; kit rule
# MDM-SSD-009 reworded): the kit and the whole-loop test.
# Usage: bash docs/eval/gpu-2026-12-04/call10.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
timeout 200 bash .gpu/run.sh --tests --select-class dev.mdm.backend.jcuda.JcudaBackendCompatibilityTest > "$out/kit.log" 2>&1
echo "kit rc=$?"
timeout 200 bash .gpu/run.sh --tests --select-class dev.mdm.backend.jcuda.JcudaWholeSamplingTest > "$out/whole-sampling-test.log" 2>&1
echo "JcudaWholeSamplingTest rc=$?"
for f in "$out"/*.log; do echo "== $f"; grep -E "tests (successful|failed|aborted|skipped)|MDM-SSD-010" "$f"; grep -m5 -A8 "✘" "$f"; done
