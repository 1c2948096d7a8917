# Session 16, call 2 (issue 5): in_proj's dt columns by dt_proj_bf16 (K split over a cluster of up to 8 blocks, partial
# tiles added through distributed shared memory) with the conv + weights launch as its programmatic dependent, against
# the same build with cuBLAS's dt GEMM (-Dmdm.jcuda.dtProjection=false) and v31 (cc2b785's jar); every jcuda test.
# tools/gpu/pack.sh --tests --baseline=cc2b785; bash docs/eval/gpu-2026-11-30/call2.sh $OUT
keep=$1
out=/tmp/call2
. docs/eval/gpu-2026-11-30/lib.sh
gpu_state
class_tests dtproj dev.mdm.backend.jcuda.cuda.DtProjectionTest
limited_tests
step step-new 90
step step-cublas 90 -Dmdm.jcuda.dtProjection=false
step step-v31 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-new2 90
step step-cublas2 90 -Dmdm.jcuda.dtProjection=false
gpu_state
mkdir -p "$keep" && cp "$out"/tests.log "$out"/step-new.json "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
