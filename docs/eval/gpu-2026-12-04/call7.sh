#!/usr/bin/env bash
# Session 20, call 7 (after tools/gpu/pack.sh, .gpu carried): StepBenchmark's 324 x 1 row and generation, and with
# --task-generation a task's 20-step joint generation on a whole paper-preset BF16 model (random weights with the VAE),
# the text clamp and image projection included, as one graph against the host sampler.
# Usage: bash docs/eval/gpu-2026-12-04/call7.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
nvidia-smi --query-gpu=name,temperature.gpu,clocks.sm --format=csv,noheader > "$out/gpu.txt"
timeout 500 bash .gpu/run.sh dev.mdm.backend.jcuda.bench.StepBenchmark --only 324x1 --task-generation \
  --out "$out/step.json" > "$out/step.log" 2>&1
echo "step rc=$?"
grep -E "324 ?x ?1|generation|weights drawn|Exception|Error" "$out/step.log" | tail -8
