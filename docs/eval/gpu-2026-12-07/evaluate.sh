#!/usr/bin/env bash
# Session 23: `mdm eval` of several checkpoints at once under MPS (MPS started by call 2), the standard image budget
# (100 images a class, guidance 2, 25 steps) and the text tasks on all 10 000 test images at temperature 0; the JSON,
# the logs and the weights come back as one tar (the device tool returns about 8 files a call).
#   bash docs/eval/gpu-2026-12-07/evaluate.sh $OUT NAME=CHECKPOINT...
set -uo pipefail
out=$1; shift; mkdir -p "$out" /tmp/evals
M="bash .gpu/run.sh dev.mdm.examples.Main"
export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps-pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps-log
E="--backend jcuda --steps 25 --batch 50 --fashion-dir /tmp/fashion-mnist --scenes 0 --per-class 100 --guidance 2 --text 10000"
for pair in "$@"; do
  name=${pair%%=*} ck=${pair#*=}
  mkdir -p /tmp/jtmp-$name /tmp/evals/$name
  MDM_JAVA_OPTS=-Djava.io.tmpdir=/tmp/jtmp-$name $M eval $E --checkpoint "$ck" --out /tmp/evals/$name-report \
      > /tmp/evals/$name/eval.log 2>&1 &
  sleep 2
done
wait
for pair in "$@"; do
  name=${pair%%=*} ck=${pair#*=}
  cp /tmp/evals/$name-report/eval.json /tmp/evals/$name/eval.json
  cp "$ck" /tmp/evals/$name/weights.safetensors
  grep -E "accuracy|Fréchet" /tmp/evals/$name/eval.log | sed "s/^/$name: /"
done
tar cf "$out/evals.tar" -C /tmp/evals $(for pair in "$@"; do echo "${pair%%=*}"; done)
