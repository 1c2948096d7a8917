#!/usr/bin/env bash
# Session 22, call 2 (after call 1 unpacked the data to /tmp/fashion-mnist): three fine-tunes of the shipped model at
# once on the one H100 under MPS, run 15's recipe (augmented given images, lr 1e-4, caption=12, vqa=2), differing only
# in where captioning and VQA examples draw their diffusion step: from 1 (SPEC's draw, the control), from 600 and from
# 700 (mdm train --caption-times-from). Weights stay in /tmp/ct for call 3.  bash docs/eval/gpu-2026-12-06/call2.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
tar xJf .gpu/jre.txz -C /tmp   # once, before the runs start at the same moment
Q="--query-gpu=clocks.sm,clocks.mem,temperature.gpu,power.draw,utilization.gpu,memory.used --format=csv,noheader"
nvidia-smi $Q > "$out/gpu-state.txt"
M="bash .gpu/run.sh dev.mdm.examples.Main"
CK=mdm-examples/src/main/resources/dev/mdm/examples/model/fashion.safetensors
export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps-pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps-log
mkdir -p $CUDA_MPS_PIPE_DIRECTORY $CUDA_MPS_LOG_DIRECTORY
nvidia-cuda-mps-control -d && echo "MPS started" >> "$out/gpu-state.txt"
F="--dataset fashion --fashion-dir /tmp/fashion-mnist --steps 100000 --batch 128 --ema-decay 0.999 --checkpoint-every 100000"
F="$F --task-mix caption=12,vqa=2 --given-image-augmentation mirror,shift=2 --lr ${LR:-1e-4} --seed ${SEED:-1}"
nvidia-smi dmon -s u -d 15 > "$out/dmon.txt" 2>&1 &
for from in ${FROMS:-1 600 700}; do
  # a tmpdir each: JCuda extracts its native library to java.io.tmpdir (SIGBUS when JVMs share it, session 21)
  mkdir -p /tmp/jtmp$from
  MDM_JAVA_OPTS=-Djava.io.tmpdir=/tmp/jtmp$from $M train --backend jcuda --preset fashion --checkpoint ${START:-$CK} $F \
      --caption-times-from $from --time-limit ${LIMIT:-8.6} --out /tmp/ct/from$from > "$out/train-from$from.log" 2>&1 &
  sleep 3
done
while [ $(jobs -rp | wc -l) -gt 1 ]; do sleep 5; done
nvidia-smi $Q >> "$out/gpu-state.txt"
ls -l /tmp/ct/from* >> "$out/gpu-state.txt"
for d in /tmp/ct/from*; do gzip -c $d/loss.json > "$out/loss-$(basename $d).json.gz"; done
