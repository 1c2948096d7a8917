#!/usr/bin/env bash
# Session 23, call 5, right after call 4 on the same machine: stage 2's two EMA weights evaluated at once.
#   bash docs/eval/gpu-2026-12-07/call5.sh $OUT
bash docs/eval/gpu-2026-12-07/evaluate.sh "$1" s2-T=/tmp/ct/from800/ema.safetensors s2-C=/tmp/ct/from1/ema.safetensors
