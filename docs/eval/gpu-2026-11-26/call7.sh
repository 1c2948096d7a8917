#!/usr/bin/env bash
# Fifth GPU call of session 12 (branch s12-bf16-operands): training GEMMs with bf16 operands rounded by our own
# kernel (-Dmdm.jcuda.trainingGemm=bf16) against the TF32 default, beside main's jar. Packed with
#   tools/gpu/pack.sh --tests --baseline=main
# then, with .gpu carried:  bash docs/eval/gpu-2026-11-26/call7.sh $OUT
set -u
out=$1
mkdir -p "$out"
run=.gpu/run.sh
train=dev.mdm.backend.jcuda.bench.TrainBenchmark
rows=paper:8:bf16,fashion:128:bf16
bash $run --tests --select-package dev.mdm.backend.jcuda > "$out/tests-tf32.log" 2>&1
grep -E 'tests (successful|failed|found)' "$out/tests-tf32.log" | sed 's/^/tf32 /'
grep -E '✘' "$out/tests-tf32.log" | head -20
MDM_JAVA_OPTS=-Dmdm.jcuda.trainingGemm=bf16 bash $run --tests --select-package dev.mdm.backend.jcuda \
  > "$out/tests-bf16.log" 2>&1
grep -E 'tests (successful|failed|found)' "$out/tests-bf16.log" | sed 's/^/bf16 /'
grep -E '✘|expected|Expect' "$out/tests-bf16.log" | head -30
MDM_JCUDA_JAR=.gpu/baseline/mdm-backend-jcuda.jar bash $run $train --out "$out/train-base.json" --only $rows 2>&1 \
  | grep -E 'ceilings|GEMMs' | sed 's/^/base /'
bash $run $train --out "$out/train-tf32.json" --only $rows 2>&1 | grep -E 'ceilings|GEMMs' | sed 's/^/tf32 /'
MDM_JAVA_OPTS=-Dmdm.jcuda.trainingGemm=bf16 bash $run $train --out "$out/train-bf16.json" --only $rows 2>&1 \
  | grep -E 'ceilings|GEMMs|rror|xception' | sed 's/^/bf16 /'
ncu=/opt/nvidia/nsight-compute/2025.3.1/ncu
MDM_JAVA_OPTS=-Dmdm.jcuda.trainingGemm=bf16 timeout 150 $ncu --target-processes all --clock-control none \
  --cache-control none --metrics gpu__time_duration.sum --print-summary per-kernel --csv bash $run $train \
  --out /tmp/profile.json --only paper:8:bf16 --blocks 4 --warmup 0 --repeats 1 > "$out/profile-bf16.csv" 2>&1
echo "profile exit $?"
grep -E 'gemm|nvjet|tr_to_bf16' "$out/profile-bf16.csv" | cut -d, -f4,5,6,9,15 | cut -c1-200 | head -30
nvidia-smi --query-gpu=clocks.sm,temperature.gpu,clocks_throttle_reasons.active --format=csv,noheader
