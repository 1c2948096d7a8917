# Session 17, call 2: per-chunk readiness with v34's reordering (the output kernel computes its chunk's own part, M·X,
# before it waits for the entering state) and the walk skipping its last chunk's products: every jcuda test, steps with
# and without readiness, v33's jar (f9ef718), and the two-head kernel at every length (twoHeadMinChunks=1) or one head a
# block up to 1 092 tokens (=32).
# tools/gpu/pack.sh --tests --baseline=f9ef718; bash docs/eval/gpu-2026-12-01/call2.sh $OUT/call2
keep=$1
out=/tmp/call2
. docs/eval/gpu-2026-12-01/lib.sh
begin_call
step step-new 90
step step-noready 90 -Dmdm.jcuda.chunkReady=false
step step-v33 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-twohead 90 -Dmdm.jcuda.twoHeadMinChunks=1
step step-onehead 90 -Dmdm.jcuda.twoHeadMinChunks=32
step step-new2 90
end_call
