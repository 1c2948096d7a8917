# Session 14, call 5 (issue 5): calls 2-4's one-barrier scans were slower than call 1's four-barrier one at long
# sequences, so this is call 1's kernel with dt loaded three chunks ahead and the n-slice chosen per shape, against
# call 1's build (e830e1f's jar, slice 32) and against v26 (this build with the scan off), each twice.
# bash docs/eval/gpu-2026-11-28/call5.sh $OUT
keep=$1
out=/tmp/call5
. docs/eval/gpu-2026-11-28/lib.sh
gpu_state
module_tests tests
slice_tests 16 128
step_bench step-v1 "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new
step_bench step-v26 -Dmdm.jcuda.stateScanMaxChunks=0
step_bench step-new2
step_bench step-v26b -Dmdm.jcuda.stateScanMaxChunks=0
step_bench step-v1b "" .gpu/baseline/mdm-backend-jcuda.jar
gpu_state
mkdir -p "$keep" && cp "$out"/step-new.json "$out"/step-new2.json "$out"/step-v26.json "$out"/step-v1.json "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
