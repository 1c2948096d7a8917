#!/usr/bin/env bash
# Session 25, call 6 (issue 6): the peer's training step (PyTorch + state-spaces/mamba's Mamba2Simple on its Triton
# SSD kernels) beside ours, on one card. mamba_ssm is not installed there: a copy of its sources (commit 20ddb822,
# Apache-2.0, see peer_train.py; not in this repository) travels as .peer. Packed with tools/gpu/pack.sh; run from the
# repository root with .gpu and .peer carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
gpu_state
python3 -c "import torch, triton; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'triton', triton.__version__)" | tee $out/env.txt
peer 4blocks --blocks 4 --profile $out/peer-profile-4blocks.txt
peer 49blocks
gpu_state
train_bench ours paper:8:bf16
peer 49blocks-graph --graph
gpu_state
