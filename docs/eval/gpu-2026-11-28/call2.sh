# Session 14, call 2 (issue 5): the fused state scan with one barrier a chunk (weights a chunk ahead, three stages)
# against v26 (c097b4c's jar): the module's tests, the BF16 oracle tests at each n-slice, StepBenchmark with the
# slice chosen per shape and fixed at 32, 64 and 128. bash docs/eval/gpu-2026-11-28/call2.sh $OUT
keep=$1
out=/tmp/call2
. docs/eval/gpu-2026-11-28/lib.sh
gpu_state
module_tests tests
slice_tests 16 32 64 128
gpu_state
step_bench step-base "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-auto
step_bench step-scan32 -Dmdm.jcuda.stateScanSlice=32
step_bench step-scan64 -Dmdm.jcuda.stateScanSlice=64
step_bench step-scan128 -Dmdm.jcuda.stateScanSlice=128
step_bench step-auto2
gpu_state
mkdir -p "$keep" && cp "$out"/step-base.json "$out"/step-auto.json "$out"/step-auto2.json "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
