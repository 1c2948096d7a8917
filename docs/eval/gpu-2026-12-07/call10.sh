#!/usr/bin/env bash
# Session 23, call 10, right after call 9 on the same machine: part 2's two EMAs evaluated at once; the JSON, the logs
# and arm B's weights come back as plain files.  bash docs/eval/gpu-2026-12-07/call10.sh $OUT
out=$1
bash docs/eval/gpu-2026-12-07/evaluate.sh /tmp/call10-tar p2-A=/tmp/ct/armA/ema.safetensors p2-B=/tmp/ct/armB/ema.safetensors
mkdir -p "$out"
for n in p2-A p2-B; do cp /tmp/evals/$n/eval.json "$out/$n-eval.json"; done
tar czf "$out/p2-logs.tgz" -C /tmp/evals p2-A/eval.log p2-B/eval.log
cp /tmp/ct/armB/ema.safetensors "$out/p2-B-ema.safetensors"
