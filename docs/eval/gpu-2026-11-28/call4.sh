# Session 14, call 4 (issue 5): the one-barrier scan with a producer warp (weights a chunk ahead, dt three ahead) beside four consumer warps, against call 1's
# four-barrier scan (e830e1f's jar, n-slice 32), StepBenchmark both ways twice, then ncu's warp stall reasons of the
# new scan kernel at 16 452 tokens. bash docs/eval/gpu-2026-11-28/call4.sh $OUT
keep=$1
out=/tmp/call4
. docs/eval/gpu-2026-11-28/lib.sh
gpu_state
module_tests tests
slice_tests 16 32 64 128
step_bench step-v1 "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-auto
step_bench step-scan64 -Dmdm.jcuda.stateScanSlice=64
step_bench step-scan16 -Dmdm.jcuda.stateScanSlice=16
step_bench step-v1b "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-auto2
gpu_state
scan_profile
mkdir -p "$keep" && cp "$out"/step-auto.json "$out"/step-v1.json "$out"/ncu-scan-16452.txt "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
