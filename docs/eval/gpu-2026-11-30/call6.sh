# Session 16, call 6 (issue 5): the final build, v32 (dt_proj_bf16 with the conv + weights launch its dependent, up
# to 512 rows), against v31 (cc2b785's jar) and against itself with cuBLAS's dt GEMM everywhere
# (-Dmdm.jcuda.dtProjectionMaxRows=0); every jcuda test.
# tools/gpu/pack.sh --tests --baseline=cc2b785; bash docs/eval/gpu-2026-11-30/call6.sh $OUT
keep=$1
out=/tmp/call6
. docs/eval/gpu-2026-11-30/lib.sh
gpu_state
limited_tests
step step-v31 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-new 90
step step-off 90 -Dmdm.jcuda.dtProjectionMaxRows=0
step step-v31b 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-new2 90
gpu_state
mkdir -p "$keep" && cp "$out"/tests.log "$out"/step-new.json "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
