#!/usr/bin/env bash
# Session 22, call 3, right after call 2 on the same machine: each fine-tune's captions and answers on all 10 000 test
# images and its captions of 2 000 training images (every 30th), text at temperature 0 (the shipped defaults).
#   bash docs/eval/gpu-2026-12-06/call3.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
M="bash .gpu/run.sh dev.mdm.examples.Main"
E="--backend jcuda --steps 25 --batch 50 --fashion-dir /tmp/fashion-mnist --scenes 0 --per-class 0"
for d in /tmp/ct/from*; do
  c=$(basename $d)
  $M eval $E --checkpoint $d/ema.safetensors --text 10000 --out /tmp/eval-$c > "$out/eval-$c-test.log" 2>&1
  cp /tmp/eval-$c/eval.json "$out/eval-$c-test10k.json"
  $M eval $E --checkpoint $d/ema.safetensors --text 2000 --text-split train --out /tmp/evaltr-$c > "$out/eval-$c-train.log" 2>&1
  cp /tmp/evaltr-$c/eval.json "$out/eval-$c-train2k.json"
done
