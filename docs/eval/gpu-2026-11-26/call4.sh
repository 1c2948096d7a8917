#!/usr/bin/env bash
# Planned first GPU call of the next session: branch s11-chunked-bwd packed with
#   tools/gpu/pack.sh --tests --baseline=main
# then this script with .gpu carried: the module's tests (BlockTrainerTest runs every shape with the chunked SSD
# backward and with the sequential sweep), then TrainBenchmark of the new build (chunked, then the sweep by property)
# and of main, then a kernel profile of a 4-block paper-width step with the chunked backward.
#   bash docs/eval/gpu-2026-11-26/call4.sh $OUT
set -u
out=$1
mkdir -p "$out"
run=.gpu/run.sh
train=dev.mdm.backend.jcuda.bench.TrainBenchmark
rows=fashion:128,fashion:128:bf16,paper:8,paper:8:bf16
bash $run --tests --select-package dev.mdm.backend.jcuda > "$out/tests.log" 2>&1
grep -E 'tests (successful|failed|found)' "$out/tests.log"
grep -E '✘' "$out/tests.log" | head -30
bash $run $train --out "$out/train-chunked.json" --only $rows > "$out/train-chunked.log" 2>&1
MDM_JAVA_OPTS=-Dmdm.jcuda.scanBackward=sequential bash $run $train --out "$out/train-sequential.json" --only $rows \
  > "$out/train-sequential.log" 2>&1
MDM_JCUDA_JAR=.gpu/baseline/mdm-backend-jcuda.jar bash $run $train --out "$out/train-base.json" --only $rows \
  > "$out/train-base.log" 2>&1
grep -E 'ceilings|GEMMs' "$out"/train-*.log
ncu=/opt/nvidia/nsight-compute/2025.3.1/ncu
timeout 200 $ncu --target-processes all --clock-control none --cache-control none --metrics gpu__time_duration.sum \
  --print-summary per-kernel --csv bash $run $train --out /tmp/profile.json --only paper:8:bf16 --blocks 4 --warmup 0 \
  --repeats 1 > "$out/profile.csv" 2>&1
echo "profile exit $?"
grep -E '"tb_ssd|"tb_chunk' "$out/profile.csv" | cut -d, -f4,9,14-20
nvidia-smi --query-gpu=clocks.sm,temperature.gpu,clocks_throttle_reasons.active --format=csv,noheader
