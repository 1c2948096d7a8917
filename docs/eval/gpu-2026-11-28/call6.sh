# Session 14, call 6 (issue 5): the fused state scan with x and B copied two chunks ahead (three stages) against
# one chunk ahead (2348425's jar), StepBenchmark twice each, then each build's warp stall reasons in the scan kernel
# at 16 452 tokens (ncu). bash docs/eval/gpu-2026-11-28/call6.sh $OUT
keep=$1
out=/tmp/call6
. docs/eval/gpu-2026-11-28/lib.sh
gpu_state
module_tests tests
slice_tests 16 128
step_bench step-base "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new
step_bench step-base2 "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new2
gpu_state
stalls=$(printf 'smsp__average_warps_issue_stalled_%s_per_issue_active.ratio,' barrier long_scoreboard short_scoreboard \
  wait mio_throttle lg_throttle math_pipe_throttle not_selected selected dispatch_stall membar no_instruction \
  branch_resolving drain imc_miss tex_throttle sleeping misc)
for build in new base; do
  jar=; [ $build = base ] && jar=.gpu/baseline/mdm-backend-jcuda.jar
  MDM_JCUDA_JAR=$jar timeout 120 $ncu --target-processes all -k regex:ssd_chunk_state_scan -c 1 \
    --metrics "gpu__time_duration.sum,${stalls%,}" bash $run dev.mdm.backend.jcuda.bench.StepBenchmark --repeats 1 \
    --only 16452x1 --out /tmp/p.json > "$out/ncu-stalls-$build.txt" 2>&1
  echo "== $build"; grep -E "duration|stalled" "$out/ncu-stalls-$build.txt" | awk '{print $1, $NF}'
done
mkdir -p "$keep" && cp "$out"/step-new.json "$out"/step-base.json "$out"/ncu-stalls-*.txt "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
