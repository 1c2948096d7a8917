# Session 14's additions to docs/eval/gpu-2026-11-26/lib.sh (sourced first).
. docs/eval/gpu-2026-11-26/lib.sh

# slice_tests SLICE...: the BF16 oracle tests with the state scan's n-slice fixed at each SLICE
slice_tests() {
  for ns in "$@"; do
    class_tests bf16-scan$ns dev.mdm.backend.jcuda.JcudaBf16OracleAgreementTest -Dmdm.jcuda.stateScanSlice=$ns
  done
}

# scan_profile: ncu's speed-of-light, occupancy, warp-state and scheduler sections of the state scan kernel at 16 452
# tokens into $out/ncu-scan-16452.txt, its main lines printed
scan_profile() {
  timeout 150 $ncu --target-processes all -k regex:ssd_chunk_state_scan -c 1 --section SpeedOfLight --section Occupancy \
    --section WarpStateStats --section SchedulerStats bash $run dev.mdm.backend.jcuda.bench.StepBenchmark --repeats 1 \
    --only 16452x1 --out /tmp/p.json > "$out/ncu-scan-16452.txt" 2>&1
  grep -E "Duration|Stall|Warp Cycles|Issued|Eligible|Throughput|Achieved Occ" "$out/ncu-scan-16452.txt" | head -30
}
