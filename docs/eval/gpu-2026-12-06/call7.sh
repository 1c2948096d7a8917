#!/usr/bin/env bash
# Session 22, call 7, on a new machine after a data call: call 4's EMA of the run from 700 (8 807 steps from the shipped
# model; in the tracked model file's place for this call, since the tree, the pack and a second 15 MB file pass the
# 64 MiB a call carries) trained on with a fresh optimizer at lr 5e-5, its captioning and VQA times from 700 and from
# 800, the two at once under MPS.  bash docs/eval/gpu-2026-12-06/call7.sh $OUT
LR=5e-5 SEED=2 FROMS="700 800" LIMIT=8.6 bash docs/eval/gpu-2026-12-06/call2.sh "$1"
