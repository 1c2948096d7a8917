# Session 15, call 1 (issue 5): every jcuda test with fp32 own states again (the paper-head mixer at 1 100 tokens);
# the state scan's prescaled B (three and four stages) and eight warps, checked by the BF16 oracle tests and timed
# against the default scan and v27 (189a361's jar), StepBenchmark each.
# tools/gpu/pack.sh --tests --baseline=189a361; bash docs/eval/gpu-2026-11-29/call1.sh $OUT
keep=$1
out=/tmp/call1
. docs/eval/gpu-2026-11-26/lib.sh
ps=-Dmdm.jcuda.stateScanPrescale=true
gpu_state
module_tests tests
bf16=dev.mdm.backend.jcuda.JcudaBf16OracleAgreementTest
class_tests bf16-ps3 $bf16 "$ps"
class_tests bf16-ps4-w8-s128 $bf16 "$ps -Dmdm.jcuda.stateScanStages=4 -Dmdm.jcuda.stateScanWarps=8 -Dmdm.jcuda.stateScanSlice=128"
class_tests bf16-w8-s64 $bf16 "-Dmdm.jcuda.stateScanWarps=8 -Dmdm.jcuda.stateScanSlice=64"
step_bench step-v27 "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-new
step_bench step-ps3 "$ps"
step_bench step-ps4 "$ps -Dmdm.jcuda.stateScanStages=4"
step_bench step-w8 -Dmdm.jcuda.stateScanWarps=8
step_bench step-ps3-w8 "$ps -Dmdm.jcuda.stateScanWarps=8"
step_bench step-ps4-w8 "$ps -Dmdm.jcuda.stateScanStages=4 -Dmdm.jcuda.stateScanWarps=8"
step_bench step-new2
gpu_state
mkdir -p "$keep" && cp "$out"/tests.log "$out"/step-new.json "$out"/step-v27.json "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
