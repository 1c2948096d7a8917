#!/usr/bin/env bash
# Session 22, call 10, right after call 9 on the same machine (its last minutes there): the run from 800 resumed for 4
# more minutes alone at lr 1.25e-5, then the standard image budget and the text tasks on all 10 000 test images; the
# EMA weights come back in $OUT.  bash docs/eval/gpu-2026-12-06/call10.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
M="bash .gpu/run.sh dev.mdm.examples.Main"
export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps-pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps-log
F="--dataset fashion --fashion-dir /tmp/fashion-mnist --steps 100000 --batch 128 --ema-decay 0.999 --checkpoint-every 100000"
F="$F --task-mix caption=12,vqa=2 --given-image-augmentation mirror,shift=2 --seed 2"
MDM_JAVA_OPTS=-Djava.io.tmpdir=/tmp/jtmp800 $M train --backend jcuda --preset fashion \
    --resume /tmp/ct/from800/model.safetensors $F --lr 1.25e-5 --caption-times-from 800 --time-limit 4.0 \
    --out /tmp/ct/from800 > "$out/train-from800.log" 2>&1
E="--backend jcuda --steps 25 --batch 50 --fashion-dir /tmp/fashion-mnist --scenes 0 --per-class 100 --guidance 2 --text 10000"
MDM_JAVA_OPTS=-Djava.io.tmpdir=/tmp/jtmp800 $M eval $E --checkpoint /tmp/ct/from800/ema.safetensors --out /tmp/eval10 \
    > "$out/eval-from800.log" 2>&1
cp /tmp/eval10/eval.json "$out/eval-from800.json"
gzip -c /tmp/ct/from800/loss.json > "$out/loss-from800.json.gz"
cp /tmp/ct/from800/ema.safetensors "$out/from800-ema.safetensors"
