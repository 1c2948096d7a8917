#!/usr/bin/env bash
# Second GPU call of session 12: branch s11-chunked-bwd at e1847f1 (conflict-free chunk kernel, fused reverse pass),
# and the third at its successor, packed with tools/gpu/pack.sh --tests, then this script with .gpu carried:
#   bash docs/eval/gpu-2026-11-26/call5.sh $OUT
# The module's tests, TrainBenchmark with the chunked backward and with the sweep (the same build, by property), the
# per-kernel times of a 4-block paper-width step, and the chunk kernels' shared-memory conflicts and occupancy.
set -u
out=$1
. docs/eval/gpu-2026-11-26/lib.sh
module_tests tests
chunked_and_sweep $all_rows
kernel_profile profile
grep -E '"tb_ssd|"tb_chunk' "$out/profile.csv" | cut -d, -f4,9,14-20
timeout 150 $ncu --target-processes all --kernel-name regex:'tb_ssd_bwd_chunk|tb_ssd_fwd' --launch-count 6 \
  --metrics gpu__time_duration.sum,l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum,l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld.sum,sm__warps_active.avg.pct_of_peak_sustained_active,sm__throughput.avg.pct_of_peak_sustained_elapsed,dram__throughput.avg.pct_of_peak_sustained_elapsed,smsp__inst_executed.sum \
  bash $run $train --out /tmp/profile2.json --only paper:8:bf16 --blocks 2 --warmup 0 --repeats 1 \
  > "$out/metrics.txt" 2>&1
echo "metrics exit $?"
grep -E '^  [a-z_]+.*\(|tb_|sum|pct' "$out/metrics.txt" | grep -v '==' | head -60
gpu_state
