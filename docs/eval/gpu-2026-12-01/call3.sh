# Session 17, call 3: the walk's readiness counts made by a fifth warp (call 2 found the release fence in a
# computing warp costs 4 % at 324 tokens): every jcuda test, then steps with and without readiness (without: the walk
# has its four warps and counts nothing) and v33's jar (f9ef718), alternating.
# tools/gpu/pack.sh --tests --baseline=f9ef718; bash docs/eval/gpu-2026-12-01/call3.sh $OUT/call3
keep=$1
out=/tmp/call3
. docs/eval/gpu-2026-12-01/lib.sh
begin_call
step step-new 90
step step-noready 90 -Dmdm.jcuda.chunkReady=false
step step-v33 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-new2 90
step step-noready2 90 -Dmdm.jcuda.chunkReady=false
step step-v33b 90 "" .gpu/baseline/mdm-backend-jcuda.jar
end_call
