#!/usr/bin/env bash
# Session 19, call 18 (after tools/gpu/pack.sh --tests, .gpu carried): the review's fixes to the GEMM fallback (rows on
# the grid's x, auto falling back when cuBLAS cannot start, the probe checking -Dmdm.jcuda.gemm). Its test, the kit
# with every product on it, then every jcuda test. Usage: bash docs/eval/gpu-2026-12-03/call18.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
timeout 150 bash .gpu/run.sh --tests --select-class dev.mdm.backend.jcuda.cuda.FallbackGemmTest > "$out/fallback-gemm-test.log" 2>&1
echo "FallbackGemmTest rc=$?"
MDM_JAVA_OPTS=-Dmdm.jcuda.gemm=fallback timeout 200 bash .gpu/run.sh --tests \
  --select-class dev.mdm.backend.jcuda.JcudaBackendCompatibilityTest > "$out/kit-fallback.log" 2>&1
echo "kit with the fallback rc=$?"
timeout 400 bash .gpu/run.sh --tests > "$out/tests.log" 2>&1
echo "every jcuda test rc=$?"
for f in "$out"/*.log; do echo "== $f"; grep -E "tests (successful|failed|aborted|skipped)" "$f"; grep -m5 -A8 "✘" "$f"; done
