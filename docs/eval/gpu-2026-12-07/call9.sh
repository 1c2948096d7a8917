#!/usr/bin/env bash
# Session 23, call 9 (after call 8 unpacked the data to /tmp/fashion-mnist): part 2, two fine-tunes of run 20 at once
# under MPS, captions from 800, VQA following them (A, /tmp/ct/armA) or on SPEC's draw (B, /tmp/ct/armB).
#   bash docs/eval/gpu-2026-12-07/call9.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
tar xJf .gpu/jre.txz -C /tmp
M="bash .gpu/run.sh dev.mdm.examples.Main"
CK=mdm-examples/src/main/resources/dev/mdm/examples/model/fashion.safetensors
export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps-pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps-log
mkdir -p $CUDA_MPS_PIPE_DIRECTORY $CUDA_MPS_LOG_DIRECTORY
nvidia-cuda-mps-control -d
F="--dataset fashion --fashion-dir /tmp/fashion-mnist --steps 100000 --batch 128 --ema-decay 0.999 --checkpoint-every 100000"
F="$F --task-mix caption=12,vqa=2 --given-image-augmentation mirror,shift=2 --lr 1.25e-5 --seed 4 --caption-times-from 800"
for arm in A B; do
  extra=; [ $arm = B ] && extra="--answer-times-from 1"
  mkdir -p /tmp/jtmp$arm
  MDM_JAVA_OPTS=-Djava.io.tmpdir=/tmp/jtmp$arm $M train --backend jcuda --preset fashion --checkpoint $CK $F $extra \
      --time-limit 8.6 --out /tmp/ct/arm$arm > "$out/train-$arm.log" 2>&1 &
  sleep 3
done
wait
for arm in A B; do gzip -c /tmp/ct/arm$arm/loss.json > "$out/loss-$arm.json.gz"; done
