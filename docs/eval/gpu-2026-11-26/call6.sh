#!/usr/bin/env bash
# Fourth GPU call of session 12 (branch s12-chunk-occupancy; rejected, see TRAINING.md): the chunk kernel at ≤ 85
# registers (3 blocks per SM where its shared memory allows: chunks of 16 at the paper's heads) and the chunk length
# by property, beside main's jar. Packed with
#   tools/gpu/pack.sh --tests --baseline=main
# then, with .gpu carried:  bash docs/eval/gpu-2026-11-26/call6.sh $OUT
set -u
out=$1
mkdir -p "$out"
run=.gpu/run.sh
train=dev.mdm.backend.jcuda.bench.TrainBenchmark
rows=paper:8:bf16,fashion:128:bf16
bash $run --tests --select-package dev.mdm.backend.jcuda > "$out/tests.log" 2>&1
grep -E 'tests (successful|failed|found)' "$out/tests.log"
grep -E '✘' "$out/tests.log" | head -30
MDM_JCUDA_JAR=.gpu/baseline/mdm-backend-jcuda.jar bash $run $train --out "$out/train-base.json" --only $rows 2>&1 \
  | grep -E 'ceilings|GEMMs' | sed 's/^/base   /'
bash $run $train --out "$out/train-auto.json" --only $rows 2>&1 | grep -E 'ceilings|GEMMs' | sed 's/^/auto   /'
for q in 8 16 32 64; do
  MDM_JAVA_OPTS=-Dmdm.jcuda.scanBackward=chunked:$q bash $run $train --out "$out/train-q$q.json" --only $rows 2>&1 \
    | grep -E 'GEMMs|rror|xception' | sed "s/^/q$q    /"
done
nvidia-smi --query-gpu=clocks.sm,temperature.gpu,clocks_throttle_reasons.active --format=csv,noheader
