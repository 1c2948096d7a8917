# Session 16, call 13: the final build (v33) on the H100: every jcuda test, every conformance input (65, in
# .gpu/conformance-in as in call 9), steps beside v31's jar (cc2b785), and two measuring variants at 1 092 tokens
# since v31's dependent output launch: one head a block there (-Dmdm.jcuda.twoHeadMinChunks=32) and the walk's
# 16-wide n-slices (-Dmdm.jcuda.stateScanSlice=16).
# tools/gpu/pack.sh --tests --baseline=cc2b785; bash docs/eval/gpu-2026-11-30/call13.sh $OUT
keep=$1
out=/tmp/call13
. docs/eval/gpu-2026-11-30/lib.sh
gpu_state
limited_tests
bash tools/conformance/run_all.sh jcuda .gpu/conformance-in "$out/conformance-jcuda" bash .gpu/run.sh dev.mdm.tck.Conformance
echo "conformance exit $?"
step step-new 90
step step-v31 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-onehead 90 -Dmdm.jcuda.twoHeadMinChunks=32
step step-slice16 90 -Dmdm.jcuda.stateScanSlice=16
step step-new2 90
gpu_state
mkdir -p "$keep" && cp "$out"/tests.log "$out"/step-new.json "$keep"/
tar czf "$keep/logs.tgz" -C "$out" --exclude conformance-jcuda . && tar czf "$keep/conformance-jcuda.tgz" -C "$out" conformance-jcuda
