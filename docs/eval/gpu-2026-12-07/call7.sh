#!/usr/bin/env bash
# Session 23, call 7 (after call 6 unpacked the data on a new machine): the shipped model (run 20, the tracked model
# file) with the standard budget of the root README's Quality table: 100 images a class, 1 000 test images captioned
# and questioned, 300 scenes, the full Fréchet floor.  bash docs/eval/gpu-2026-12-07/call7.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
bash .gpu/run.sh dev.mdm.examples.Main eval --backend jcuda \
    --checkpoint mdm-examples/src/main/resources/dev/mdm/examples/model/fashion.safetensors --per-class 100 \
    --text 1000 --scenes 300 --steps 25 --guidance 2 --batch 50 --full-floor --fashion-dir /tmp/fashion-mnist \
    --out /tmp/eval-standard > "$out/eval-standard.log" 2>&1
cp /tmp/eval-standard/eval.json "$out/eval-standard.json"
tar czf "$out/eval-standard-report.tgz" -C /tmp eval-standard
