# Session 17, call 5: the final build, v34 (the tensor-core output kernels compute M and M·X before they wait for the
# state scan; the per-chunk readiness of calls 1-4 removed): every jcuda test, then steps beside v33's jar (f9ef718),
# alternating.
# tools/gpu/pack.sh --tests --baseline=f9ef718; bash docs/eval/gpu-2026-12-01/call5.sh $OUT/call5
keep=$1
out=/tmp/call5
. docs/eval/gpu-2026-12-01/lib.sh
begin_call
step step-new 90
step step-v33 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-new2 90
step step-v33b 90 "" .gpu/baseline/mdm-backend-jcuda.jar
end_call
