#!/usr/bin/env bash
# Session 23, call 4, right after call 3 on the same machine: stage 2, both arms resumed (weights and optimizer state)
# at once for 8.6 more minutes at lr 6.25e-6, each with its own times.  bash docs/eval/gpu-2026-12-07/call4.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
M="bash .gpu/run.sh dev.mdm.examples.Main"
export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps-pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps-log
F="--dataset fashion --fashion-dir /tmp/fashion-mnist --steps 100000 --batch 128 --ema-decay 0.999 --checkpoint-every 100000"
F="$F --task-mix caption=12,vqa=2 --given-image-augmentation mirror,shift=2 --seed 3 --lr 6.25e-6 --time-limit 8.6"
for from in 1 800; do
  MDM_JAVA_OPTS=-Djava.io.tmpdir=/tmp/jtmp$from $M train --backend jcuda --preset fashion \
      --resume /tmp/ct/from$from/model.safetensors $F --caption-times-from $from --out /tmp/ct/from$from \
      > "$out/train-from$from.log" 2>&1 &
  sleep 3
done
wait
for from in 1 800; do gzip -c /tmp/ct/from$from/loss.json > "$out/loss-from$from.json.gz"; done
