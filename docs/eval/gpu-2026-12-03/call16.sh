#!/usr/bin/env bash
# Session 19, call 16 (after tools/gpu/pack.sh --tests, .gpu carried): the fallback GEMM for machines without cuBLAS.
# Its own test, then the whole kit at FP32 and BF16 with every product on it (-Dmdm.jcuda.gemm=fallback), then the kit
# as shipped (cuBLAS), then one 324 x 1 step each way. Usage: bash docs/eval/gpu-2026-12-03/call16.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
nvidia-smi --query-gpu=name,temperature.gpu,clocks.sm --format=csv,noheader > "$out/gpu.txt"
timeout 120 bash .gpu/run.sh --tests --select-class dev.mdm.backend.jcuda.cuda.FallbackGemmTest > "$out/fallback-gemm-test.log" 2>&1
echo "FallbackGemmTest rc=$?"
MDM_JAVA_OPTS=-Dmdm.jcuda.gemm=fallback timeout 200 bash .gpu/run.sh --tests \
  --select-class dev.mdm.backend.jcuda.JcudaBackendCompatibilityTest > "$out/kit-fallback.log" 2>&1
echo "kit with the fallback rc=$?"
timeout 150 bash .gpu/run.sh --tests --select-class dev.mdm.backend.jcuda.JcudaBackendCompatibilityTest > "$out/kit-cublas.log" 2>&1
echo "kit with cuBLAS rc=$?"
MDM_JAVA_OPTS=-Dmdm.jcuda.gemm=fallback timeout 60 bash .gpu/run.sh dev.mdm.backend.jcuda.bench.StepBenchmark \
  --only 324x1 --out "$out/step-fallback.json" > "$out/step-fallback.log" 2>&1
echo "step with the fallback rc=$?"
timeout 60 bash .gpu/run.sh dev.mdm.backend.jcuda.bench.StepBenchmark --only 324x1 --out "$out/step-cublas.json" \
  > "$out/step-cublas.log" 2>&1
echo "step with cuBLAS rc=$?"
for f in "$out"/*.log; do echo "== $f"; grep -E "tests (successful|failed|aborted|skipped)|324 ?x ?1|ms" "$f" | tail -6; done
