#!/usr/bin/env bash
# Session 22, call 9, right after call 8 on the same machine: call 7's runs resumed (weights and optimizer state) for
# 7 more minutes at once under MPS, the run from 700 at lr 5e-5 and the run from 800 at 2.5e-5, then each one's
# captions and answers on all 10 000 test images, both at once; the EMA weights come back in $OUT.
#   bash docs/eval/gpu-2026-12-06/call9.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
M="bash .gpu/run.sh dev.mdm.examples.Main"
export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps-pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps-log
F="--dataset fashion --fashion-dir /tmp/fashion-mnist --steps 100000 --batch 128 --ema-decay 0.999 --checkpoint-every 100000"
F="$F --task-mix caption=12,vqa=2 --given-image-augmentation mirror,shift=2 --seed 2"
declare -A LR=([700]=5e-5 [800]=2.5e-5)
for from in 700 800; do
  MDM_JAVA_OPTS=-Djava.io.tmpdir=/tmp/jtmp$from $M train --backend jcuda --preset fashion \
      --resume /tmp/ct/from$from/model.safetensors $F --lr ${LR[$from]} --caption-times-from $from --time-limit 7.0 \
      --out /tmp/ct/from$from > "$out/train-from$from.log" 2>&1 &
  sleep 3
done
wait
E="--backend jcuda --steps 25 --batch 50 --fashion-dir /tmp/fashion-mnist --scenes 0 --per-class 0 --text 10000"
for from in 700 800; do
  MDM_JAVA_OPTS=-Djava.io.tmpdir=/tmp/jtmp$from $M eval $E --checkpoint /tmp/ct/from$from/ema.safetensors \
      --out /tmp/eval9-from$from > "$out/eval-from$from-test.log" 2>&1 &
done
wait
for from in 700 800; do
  cp /tmp/eval9-from$from/eval.json "$out/eval-from$from-test10k.json"
  gzip -c /tmp/ct/from$from/loss.json > "$out/loss-from$from.json.gz"
  cp /tmp/ct/from$from/ema.safetensors "$out/from$from-ema.safetensors"
done
