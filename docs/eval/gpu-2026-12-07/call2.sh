#!/usr/bin/env bash
# Session 23, call 2 (after call 1 unpacked the data to /tmp/fashion-mnist): stage 1 of the pre-registered comparison
# (README.md): two fine-tunes of the shipped model (run 19) at once under MPS, a fresh optimizer, seed 3, lr 1.25e-5,
# run 15's recipe, 8.6 minutes each; arm T draws the captioning and VQA steps from [800, 1000] (run 19's recipe), arm C
# from [1, 1000] (SPEC's draw, the control). Weights stay in /tmp/ct/from800 and /tmp/ct/from1.
#   bash docs/eval/gpu-2026-12-07/call2.sh $OUT
LR=1.25e-5 SEED=3 FROMS="1 800" LIMIT=8.6 bash docs/eval/gpu-2026-12-06/call2.sh "$1"
