# Session 18, call 3: ncu's sections for the SSD kernels of one 324 × 1 step: the quadratic form of call 2 (four heads
# a block) as built, then the state scan and the output kernel of the chunked form (-Dmdm.jcuda.quadraticMaxChunks=0).
# tools/gpu/pack.sh; bash docs/eval/gpu-2026-12-02/call3.sh $OUT/call3
keep=$1
out=/tmp/call3
. docs/eval/gpu-2026-12-02/lib.sh
ncu=/opt/nvidia/nsight-compute/2025.3.1/ncu
gpu_state
# profile NAME KERNEL_REGEX COUNT [JAVA_OPTS]
profile() {
  MDM_JAVA_OPTS="${4:-}" timeout 150 $ncu --target-processes all -k "regex:$2" -c "$3" --section SpeedOfLight \
    --section Occupancy --section WarpStateStats --section SchedulerStats --section LaunchStats \
    --section MemoryWorkloadAnalysis --section SourceCounters bash $run dev.mdm.backend.jcuda.bench.StepBenchmark \
    --repeats 1 --only 324x1 --out /tmp/p.json > "$out/$1.txt" 2>&1
  echo "$1 exit $?"
  grep -E "^  [a-z_0-9]+\(|Duration|Executed Ipc A|Issue Slots Busy|Achieved Occupancy|Warp Cycles Per Issued|Stall|Registers Per|L2 Cache Throughput|DRAM Throughput|No Eligible|Active Warps Per" \
    "$out/$1.txt" | sed "s/^/$1 /" | head -60
}
profile ncu-quad ssd_quadratic 1
profile ncu-chunked "ssd_chunk_state_scan|ssd_chunk_output_tc" 2 -Dmdm.jcuda.quadraticMaxChunks=0
gpu_state
mkdir -p "$keep" && cp "$out"/*.txt "$keep"/
