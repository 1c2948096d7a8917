#!/usr/bin/env bash
# Session 23, call 3, right after call 2 on the same machine: stage 1's two EMA weights and the starting point (run 19,
# the tracked model file) evaluated at once.  bash docs/eval/gpu-2026-12-07/call3.sh $OUT
bash docs/eval/gpu-2026-12-07/evaluate.sh "$1" run19=mdm-examples/src/main/resources/dev/mdm/examples/model/fashion.safetensors \
    s1-T=/tmp/ct/from800/ema.safetensors s1-C=/tmp/ct/from1/ema.safetensors
