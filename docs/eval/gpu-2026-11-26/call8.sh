#!/usr/bin/env bash
# Sixth GPU call of session 12 (branch s12-bf16-operands): bf16 operands the default for a BF16 runtime, rounded four
# columns a thread; against TF32 by property and main's jar (TF32). Packed with
#   tools/gpu/pack.sh --tests --baseline=main
# then, with .gpu carried:  bash docs/eval/gpu-2026-11-26/call8.sh $OUT
set -u
out=$1
mkdir -p "$out"
run=.gpu/run.sh
train=dev.mdm.backend.jcuda.bench.TrainBenchmark
rows=paper:8:bf16,fashion:128:bf16,paper:8,fashion:128
bash $run --tests --select-package dev.mdm.backend.jcuda > "$out/tests.log" 2>&1
grep -E 'tests (successful|failed|found)' "$out/tests.log"
grep -E '✘' "$out/tests.log" | head -20
MDM_JCUDA_JAR=.gpu/baseline/mdm-backend-jcuda.jar bash $run $train --out "$out/train-base.json" --only $rows 2>&1 \
  | grep -E 'ceilings|GEMMs' | sed 's/^/base /'
bash $run $train --out "$out/train-bf16.json" --only $rows 2>&1 | grep -E 'ceilings|GEMMs|rror' | sed 's/^/bf16 /'
MDM_JAVA_OPTS=-Dmdm.jcuda.trainingGemm=tf32 bash $run $train --out "$out/train-tf32.json" --only paper:8:bf16,fashion:128:bf16 \
  2>&1 | grep -E 'ceilings|GEMMs' | sed 's/^/tf32 /'
ncu=/opt/nvidia/nsight-compute/2025.3.1/ncu
timeout 150 $ncu --target-processes all --clock-control none --cache-control none --metrics gpu__time_duration.sum \
  --print-summary per-kernel --csv bash $run $train --out /tmp/profile.json --only paper:8:bf16 --blocks 4 --warmup 0 \
  --repeats 1 > "$out/profile-bf16.csv" 2>&1
echo "profile exit $?"
grep -E '"tr_to_bf16' "$out/profile-bf16.csv" | cut -d, -f4,9,14-20
nvidia-smi --query-gpu=clocks.sm,temperature.gpu,clocks_throttle_reasons.active --format=csv,noheader
