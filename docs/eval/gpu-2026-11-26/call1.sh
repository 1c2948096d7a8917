#!/usr/bin/env bash
# Session 11's first GPU call (packed on the merge of s11-train-gemm and s10-approx-math with
# tools/gpu/pack.sh --tests --baseline=main, Probe8 compiled into .gpu/test-classes):
#   bash docs/eval/gpu-2026-11-26/call1.sh $OUT
set -u
out=$1
mkdir -p "$out"
run=.gpu/run.sh
train=dev.mdm.backend.jcuda.bench.TrainBenchmark
# 1. the jcuda tests (training at the default bf16 GEMMs), inference steps of both builds, Probe8 of both
bash .gpu/compare.sh --probe8 "$out/compare"
# 2. the kit again with TF32 training GEMMs
MDM_JAVA_OPTS=-Dmdm.jcuda.trainingGemm=tf32 bash $run --tests --select-class dev.mdm.backend.jcuda.JcudaBackendCompatibilityTest \
  > "$out/tests-tck-tf32.log" 2>&1
grep -E 'tests (successful|failed)' "$out/tests-tck-tf32.log"
grep -E 'MDM-GRAD|MDM-OPT' "$out/compare/tests.log" "$out/tests-tck-tf32.log" | grep -v '✔' | head -20
# 3. training throughput: fp32 rows, bf16 GEMM rows, then the same rows with TF32 GEMMs
bash $run $train --out "$out/train-bf16.json" --only fashion:128,fashion:128:bf16,paper:8,paper:8:bf16 \
  > "$out/train-bf16.log" 2>&1
MDM_JAVA_OPTS=-Dmdm.jcuda.trainingGemm=tf32 bash $run $train --out "$out/train-tf32.json" --only fashion:128:bf16,paper:8:bf16 \
  > "$out/train-tf32.log" 2>&1
grep -E 'ceilings|GEMMs' "$out/train-bf16.log" "$out/train-tf32.log"
# 4. where a paper-width training step spends its time: kernel durations of one 4-block step (bf16 GEMMs)
ncu=/opt/nvidia/nsight-compute/2025.3.1/ncu
timeout 240 $ncu --target-processes all --clock-control none --cache-control none --metrics gpu__time_duration.sum \
  --print-summary per-kernel --csv bash $run $train --out /tmp/profile.json --only paper:8:bf16 --blocks 4 --warmup 0 \
  --repeats 1 > "$out/profile-paper8-4blocks.csv" 2> "$out/profile.err"
echo "profile exit $?, $(wc -l < "$out/profile-paper8-4blocks.csv") lines"
nvidia-smi --query-gpu=clocks.sm,temperature.gpu,clocks_throttle_reasons.active --format=csv,noheader
