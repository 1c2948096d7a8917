#!/usr/bin/env bash
# Session 25, call 16 (issue 5): the inference step at the session's end, to confirm that the training work left it
# alone. Packed with tools/gpu/pack.sh; run from the repository root with .gpu carried.
set -u
Q="--query-gpu=clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv,noheader"
nvidia-smi $Q > $OUT/gpu-state.txt
bash .gpu/run.sh dev.mdm.backend.jcuda.bench.StepBenchmark --out $OUT/step.json --repeats 20 \
  --only 324x1,324x8,1092x1,4164x1,16452x1 > $OUT/step.log 2>&1
nvidia-smi $Q >> $OUT/gpu-state.txt
