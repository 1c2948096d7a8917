#!/usr/bin/env bash
# Session 22, call 8, right after call 7 on the same machine: both runs' EMA weights evaluated at once under MPS with
# the standard image budget (100 images a class, guidance 2) and the text tasks on all 10 000 test images; the weights
# come back in $OUT.  bash docs/eval/gpu-2026-12-06/call8.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
M="bash .gpu/run.sh dev.mdm.examples.Main"
export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps-pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps-log
E="--backend jcuda --steps 25 --batch 50 --fashion-dir /tmp/fashion-mnist --scenes 0 --per-class 100 --guidance 2 --text 10000"
for from in ${FROMS:-700 800}; do
  MDM_JAVA_OPTS=-Djava.io.tmpdir=/tmp/jtmp$from $M eval $E --checkpoint /tmp/ct/from$from/ema.safetensors \
      --out /tmp/eval8-from$from > "$out/eval-from$from.log" 2>&1 &
  sleep 2
done
wait
for from in ${FROMS:-700 800}; do
  cp /tmp/eval8-from$from/eval.json "$out/eval-from$from.json"
  cp /tmp/ct/from$from/ema.safetensors "$out/from$from-ema.safetensors"
done
