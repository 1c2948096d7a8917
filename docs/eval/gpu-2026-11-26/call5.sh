#!/usr/bin/env bash
# Second GPU call of session 12: branch s11-chunked-bwd at e1847f1, and the third at its successor (conflict-free chunk kernel, fused reverse pass)
# packed with tools/gpu/pack.sh --tests, then this script with .gpu carried:
#   bash docs/eval/gpu-2026-11-26/call5.sh $OUT
# The module's tests, TrainBenchmark with the chunked backward and with the sweep (the same build, by property), the
# per-kernel times of a 4-block paper-width step, and the chunk kernels' shared-memory conflicts and occupancy.
set -u
out=$1
mkdir -p "$out"
run=.gpu/run.sh
train=dev.mdm.backend.jcuda.bench.TrainBenchmark
rows=fashion:128,fashion:128:bf16,paper:8,paper:8:bf16
bash $run --tests --select-package dev.mdm.backend.jcuda > "$out/tests.log" 2>&1
grep -E 'tests (successful|failed|found)' "$out/tests.log"
grep -E '✘' "$out/tests.log" | head -30
bash $run $train --out "$out/train-chunked.json" --only $rows > "$out/train-chunked.log" 2>&1
MDM_JAVA_OPTS=-Dmdm.jcuda.scanBackward=sequential bash $run $train --out "$out/train-sequential.json" --only $rows \
  > "$out/train-sequential.log" 2>&1
grep -E 'ceilings|GEMMs' "$out"/train-*.log
ncu=/opt/nvidia/nsight-compute/2025.3.1/ncu
timeout 150 $ncu --target-processes all --clock-control none --cache-control none --metrics gpu__time_duration.sum \
  --print-summary per-kernel --csv bash $run $train --out /tmp/profile.json --only paper:8:bf16 --blocks 4 --warmup 0 \
  --repeats 1 > "$out/profile.csv" 2>&1
echo "profile exit $?"
grep -E '"tb_ssd|"tb_chunk' "$out/profile.csv" | cut -d, -f4,9,14-20
timeout 150 $ncu --target-processes all --kernel-name regex:'tb_ssd_bwd_chunk|tb_ssd_fwd' --launch-count 6 \
  --metrics gpu__time_duration.sum,l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum,l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld.sum,sm__warps_active.avg.pct_of_peak_sustained_active,sm__throughput.avg.pct_of_peak_sustained_elapsed,dram__throughput.avg.pct_of_peak_sustained_elapsed,smsp__inst_executed.sum \
  bash $run $train --out /tmp/profile2.json --only paper:8:bf16 --blocks 2 --warmup 0 --repeats 1 \
  > "$out/metrics.txt" 2>&1
echo "metrics exit $?"
grep -E '^  [a-z_]+.*\(|tb_|sum|pct' "$out/metrics.txt" | grep -v '==' | head -60
nvidia-smi --query-gpu=clocks.sm,temperature.gpu,clocks_throttle_reasons.active --format=csv,noheader
