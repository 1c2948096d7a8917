#!/usr/bin/env bash
# Session 22, call 4, right after call 3 on the same machine: the runs from 600 and from 700 resumed (weights and
# optimizer state) for 6.5 more minutes each, at once under MPS, at half the learning rate, then each one's captions and
# answers on all 10 000 test images, both evaluations at once.  bash docs/eval/gpu-2026-12-06/call4.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
M="bash .gpu/run.sh dev.mdm.examples.Main"
export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps-pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps-log
nvidia-cuda-mps-control -d 2>/dev/null || echo "MPS already running" > "$out/mps.txt"
F="--dataset fashion --fashion-dir /tmp/fashion-mnist --steps 100000 --batch 128 --ema-decay 0.999 --checkpoint-every 100000"
F="$F --task-mix caption=12,vqa=2 --given-image-augmentation mirror,shift=2 --lr 5e-5 --seed 1"
for from in 600 700; do
  MDM_JAVA_OPTS=-Djava.io.tmpdir=/tmp/jtmp$from $M train --backend jcuda --preset fashion \
      --resume /tmp/ct/from$from/model.safetensors $F --caption-times-from $from --time-limit 6.5 \
      --out /tmp/ct/from$from > "$out/train-from$from.log" 2>&1 &
  sleep 3
done
wait
E="--backend jcuda --steps 25 --batch 50 --fashion-dir /tmp/fashion-mnist --scenes 0 --per-class 0"
for from in 600 700; do
  MDM_JAVA_OPTS=-Djava.io.tmpdir=/tmp/jtmp$from $M eval $E --checkpoint /tmp/ct/from$from/ema.safetensors --text 10000 \
      --out /tmp/eval2-from$from > "$out/eval-from$from-test.log" 2>&1 &
done
wait
for from in 600 700; do
  cp /tmp/eval2-from$from/eval.json "$out/eval-from$from-test10k.json"
  gzip -c /tmp/ct/from$from/loss.json > "$out/loss-from$from.json.gz"
done
