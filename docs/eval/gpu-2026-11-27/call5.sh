#!/usr/bin/env bash
# Fifth GPU call of session 13: the chunk kernels' loads issued together (float4, up to 8 a thread before any store)
# instead of loops of dependent load-store pairs, against a9aed60's jar; then ncu's sections for the TF32 chunk kernel.
# Packed with tools/gpu/pack.sh --tests --baseline=a9aed60, then, with .gpu carried:
#   bash docs/eval/gpu-2026-11-27/call5.sh $OUT
set -u
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
rows=paper:8:bf16,fashion:128:bf16
tests_and_baseline $rows
train_bench train-loads $rows
train_bench train-fp32 paper:8:bf16 -Dmdm.jcuda.chunkProducts=fp32
train_bench train-base-fp32 paper:8:bf16 -Dmdm.jcuda.chunkProducts=fp32 .gpu/baseline/mdm-backend-jcuda.jar
kernel_profile profile-loads
grep -E "tb_ssd_(bwd_chunk|fwd)" "$out/profile-loads.csv" | cut -d, -f4,9,14-20
timeout 200 $ncu --target-processes all -k regex:tb_ssd_bwd_chunk_tf32 -c 1 --section SpeedOfLight --section Occupancy \
  --section WarpStateStats --section MemoryWorkloadAnalysis --section LaunchStats bash $run $train --out /tmp/p.json \
  --only paper:8:bf16 --blocks 4 --warmup 0 --repeats 1 > "$out/ncu-chunk-tf32.txt" 2>&1
grep -E "Duration|Throughput|Achieved Occupancy|Theoretical Occupancy|Stall|Registers|Block Limit|Warp Cycles|Issued" \
  "$out/ncu-chunk-tf32.txt" | head -40
gpu_state
