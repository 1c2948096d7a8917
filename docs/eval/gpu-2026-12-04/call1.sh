#!/usr/bin/env bash
# Session 20, call 1 (after tools/gpu/pack.sh --tests, .gpu carried): the whole sampling loop as one CUDA graph.
# Its own test (bits against the host sampler at FP32 and BF16), the whole kit (MDM-SMP-004 among its rules), then
# the step benchmark's 324 x 1 row and its 20-step generation both ways. Usage: bash docs/eval/gpu-2026-12-04/call1.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
nvidia-smi --query-gpu=name,temperature.gpu,clocks.sm --format=csv,noheader > "$out/gpu.txt"
timeout 200 bash .gpu/run.sh --tests --select-class dev.mdm.backend.jcuda.JcudaWholeSamplingTest > "$out/whole-sampling-test.log" 2>&1
echo "JcudaWholeSamplingTest rc=$?"
timeout 200 bash .gpu/run.sh --tests --select-class dev.mdm.backend.jcuda.JcudaBackendCompatibilityTest > "$out/kit.log" 2>&1
echo "kit rc=$?"
timeout 90 bash .gpu/run.sh dev.mdm.backend.jcuda.bench.StepBenchmark --only 324x1 --out "$out/step.json" > "$out/step.log" 2>&1
echo "step rc=$?"
for f in "$out"/*.log; do echo "== $f"; grep -E "tests (successful|failed|aborted|skipped)|MDM-SMP-004|324 ?x ?1|generation|✘" "$f" | tail -12; done
