#!/usr/bin/env bash
# Session 20, call 5 (after tools/gpu/pack.sh --tests, .gpu carried): the whole sampling loop after the review's fixes
# (NaN flags before the clamp and the argmax and on encoder means, exact VAE buffers, out-of-memory left to the host,
# the cache key's image guidance). Its test, the memory reliability test (now with whole runs among 500 mixed calls from
# 4 threads), the kit, then the step benchmark's 324 x 1 row and generation. Usage: bash docs/eval/gpu-2026-12-04/call5.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
nvidia-smi --query-gpu=name,temperature.gpu,clocks.sm --format=csv,noheader > "$out/gpu.txt"
timeout 200 bash .gpu/run.sh --tests --select-class dev.mdm.backend.jcuda.JcudaWholeSamplingTest > "$out/whole-sampling-test.log" 2>&1
echo "JcudaWholeSamplingTest rc=$?"
timeout 200 bash .gpu/run.sh --tests --select-class dev.mdm.backend.jcuda.JcudaDeviceMemoryReliabilityTest > "$out/memory-test.log" 2>&1
echo "JcudaDeviceMemoryReliabilityTest rc=$?"
timeout 200 bash .gpu/run.sh --tests --select-class dev.mdm.backend.jcuda.JcudaBackendCompatibilityTest > "$out/kit.log" 2>&1
echo "kit rc=$?"
timeout 90 bash .gpu/run.sh dev.mdm.backend.jcuda.bench.StepBenchmark --only 324x1 --out "$out/step.json" > "$out/step.log" 2>&1
echo "step rc=$?"
for f in "$out"/*.log; do echo "== $f"; grep -E "tests (successful|failed|aborted|skipped)|MDM-SMP-004|324 ?x ?1|generation|\[load\]|✘" "$f" | tail -14; done
