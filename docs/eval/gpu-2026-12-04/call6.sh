#!/usr/bin/env bash
# Session 20, call 6 (after tools/gpu/pack.sh --tests, .gpu carried): every jcuda test on the final code of the session
# (the whole sampling loop, its review's fixes, its tests' helpers), then the whole-loop test alone with the GEMMs on the
# fallback kernel (-Dmdm.jcuda.gemm=fallback). Usage: bash docs/eval/gpu-2026-12-04/call6.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
nvidia-smi --query-gpu=name,temperature.gpu,clocks.sm --format=csv,noheader > "$out/gpu.txt"
timeout 420 bash .gpu/run.sh --tests > "$out/tests.log" 2>&1
echo "every jcuda test rc=$?"
MDM_JAVA_OPTS=-Dmdm.jcuda.gemm=fallback timeout 150 bash .gpu/run.sh --tests \
  --select-class dev.mdm.backend.jcuda.JcudaWholeSamplingTest > "$out/whole-sampling-fallback.log" 2>&1
echo "JcudaWholeSamplingTest on the fallback GEMM rc=$?"
for f in "$out"/*.log; do echo "== $f"; grep -E "tests (successful|failed|aborted|skipped)" "$f"; grep -m5 -A8 "✘" "$f"; done
