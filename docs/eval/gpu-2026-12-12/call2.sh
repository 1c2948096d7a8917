#!/usr/bin/env bash
# Session 28, call 2: train_gemm_search over the six GEMMs of a paper-width training block at 2 592 rows, 12 s of search
# per shape and phase. The program is session 16's gemm_search.cu with train_gemm_search.patch; built here with
#   patch -o /tmp/train_gemm_search.cu docs/eval/gpu-2026-11-30/gemm_search.cu docs/eval/gpu-2026-12-12/train_gemm_search.patch
#   nvcc -O2 -arch=sm_90 -o .gpu/train_gemm_search /tmp/train_gemm_search.cu -ldl
# Run from the repository root with .gpu carried.
set -u
nvidia-smi --query-gpu=clocks.sm,temperature.gpu,clocks_throttle_reasons.active --format=csv,noheader
.gpu/train_gemm_search 12 > $OUT/train-gemm-search.txt 2>&1
echo "exit $?"
grep -E '^===|heuristic #0|cublasGemmEx|best #0|best #1 ' $OUT/train-gemm-search.txt
nvidia-smi --query-gpu=clocks.sm,temperature.gpu,clocks_throttle_reasons.active --format=csv,noheader
