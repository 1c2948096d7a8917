# Session 15, call 3 (issue 5): in_proj's bf16 forms (-Dmdm.jcuda.bf16InProj): z alone in bf16 (the default of this
# build; x, B, C and dt stay fp32, so the conv is v27's), against z, x, B and C in bf16 (call 2's), v27's fp32 form
# and v27 (189a361's jar); every jcuda test; Probe8's bf16 error of the z form.
# tools/gpu/pack.sh --tests --baseline=189a361; javac Probe8 into .gpu/test-classes; bash docs/eval/gpu-2026-11-29/call3.sh $OUT
keep=$1
out=/tmp/call3
. docs/eval/gpu-2026-11-26/lib.sh
gpu_state
module_tests tests
step_bench step-v27 "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-z
step_bench step-zxbc -Dmdm.jcuda.bf16InProj=zxbc
step_bench step-none -Dmdm.jcuda.bf16InProj=none
step_bench step-v27b "" .gpu/baseline/mdm-backend-jcuda.jar
step_bench step-z2
step_bench step-zxbc2 -Dmdm.jcuda.bf16InProj=zxbc
gpu_state
{ echo "== z"; bash $run Probe8; } 2>&1 | grep -E '^==|PROBE8' > "$out/probe8.txt"
cat "$out/probe8.txt"
mkdir -p "$keep" && cp "$out"/tests.log "$out"/step-z.json "$out"/probe8.txt "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
