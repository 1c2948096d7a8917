# Session 18, call 6: where the output kernel's 14 µs a block at 324 × 1 go (call 5: leaving out the walk and the output
# kernel saves 19.8 µs a block, the walk alone 6): ncu's warp-state sampling per SASS instruction of one folded
# tensor-core output kernel (ssd_chunk_output_tc_fold_bf16 or _xbf16, one head a block) in a 324 × 1 step, at the
# card's own clocks; and the same with the walk left out, so that the kernel does not wait (ablation-skips.patch).
# tools/gpu/pack.sh; bash docs/eval/gpu-2026-12-02/call6.sh $OUT/call6
keep=$1
out=/tmp/call6
. docs/eval/gpu-2026-12-02/lib.sh
ncu=/opt/nvidia/nsight-compute/2025.3.1/ncu
gpu_state
# source_profile NAME [SKIP]
source_profile() {
  MDM_JAVA_OPTS="${2:+-Dmdm.jcuda.skip=$2}" timeout 200 $ncu --target-processes all --clock-control none \
    -k regex:ssd_chunk_output_tc_fold -c 1 --section WarpStateStats --section SourceCounters --section SpeedOfLight \
    --section LaunchStats --page source --csv --print-source sass bash $run dev.mdm.backend.jcuda.bench.StepBenchmark \
    --repeats 1 --only 324x1 --out /tmp/p.json > "$out/$1.csv" 2>&1
  echo "$1 exit $?"
  timeout 200 $ncu --target-processes all --clock-control none -k regex:ssd_chunk_output_tc_fold -c 1 \
    --section WarpStateStats --section SpeedOfLight --section LaunchStats --print-details all \
    bash $run dev.mdm.backend.jcuda.bench.StepBenchmark --repeats 1 --only 324x1 --out /tmp/p.json \
    > "$out/$1-details.txt" 2>&1
  grep -E "Duration|Stall|Warp Cycles Per Issued|stall" "$out/$1-details.txt" | head -40 | sed "s/^/$1 /"
}
source_profile output
source_profile output-nowalk walk
gpu_state
mkdir -p "$keep" && cp "$out"/* "$keep"/
