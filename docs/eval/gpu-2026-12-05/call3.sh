#!/usr/bin/env bash
# Session 21, call 3, right after call 2 on the same machine: the uniform soup of the four fine-tunes, then the
# standard evaluation of it with the text tasks on all 10 000 test images, and each fine-tune's and the soup's
# captions of 2 000 training images.  bash docs/eval/gpu-2026-12-05/call3.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
M="bash .gpu/run.sh dev.mdm.examples.Main"
E="--backend jcuda --steps 25 --batch 50 --fashion-dir /tmp/fashion-mnist --scenes 0"
bash .gpu/run.sh Soup /tmp/soup/soup.safetensors /tmp/soup/s{1,2,3,4}/ema.safetensors > "$out/soup.log" 2>&1
$M eval $E --checkpoint /tmp/soup/soup.safetensors --per-class 100 --guidance 2 --text 10000 --out /tmp/eval-soup > "$out/eval-soup.log" 2>&1
cp /tmp/eval-soup/eval.json "$out/eval-soup-text10k.json"
for c in soup s1 s2 s3 s4; do
  f=/tmp/soup/$c/ema.safetensors; [ $c = soup ] && f=/tmp/soup/soup.safetensors
  echo "== $c" >> "$out/train2000.log"
  $M eval $E --checkpoint $f --per-class 0 --text 2000 --text-split train --out /tmp/eval-$c >> "$out/train2000.log" 2>&1
done
tar czf "$out/loss-curves.tgz" -C /tmp/soup s1/loss.json s2/loss.json s3/loss.json s4/loss.json
