# Session 14, call 1 (issue 5): the fused state scan (state kernel + pass in one launch) against v26 (c097b4c's jar),
# every n-slice width, and the BF16 oracle tests at each width. bash docs/eval/gpu-2026-11-28/call1.sh $OUT
out=$1
. docs/eval/gpu-2026-11-28/lib.sh
gpu_state
module_tests tests
slice_tests 16 64 128
gpu_state
step_bench step-base "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-scan32
step_bench step-scan16 -Dmdm.jcuda.stateScanSlice=16
step_bench step-scan64 -Dmdm.jcuda.stateScanSlice=64
step_bench step-scan128 -Dmdm.jcuda.stateScanSlice=128
step_bench step-base2 "" .gpu/baseline/mdm-backend-jcuda.jar
gpu_state
