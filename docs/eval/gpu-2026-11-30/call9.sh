# Session 16, call 9: the FP32 chunk kernels with their cumulative sums as float pairs (hi, lo) summed in double.
# The new strong-decay oracle test against 95f6668's jar (v32, before the change: it should fail at FP32), every jcuda
# test with this build, every conformance input (tools/conformance/make_inputs.py, plus decay_inputs.py's two, copied
# into .gpu/conformance-in), and one step of each build.
# tools/gpu/pack.sh --tests --baseline=95f6668; bash docs/eval/gpu-2026-11-30/call9.sh $OUT
keep=$1
out=/tmp/call9
. docs/eval/gpu-2026-11-30/lib.sh
gpu_state
MDM_JCUDA_JAR=.gpu/baseline/mdm-backend-jcuda.jar class_tests fp32-before dev.mdm.backend.jcuda.JcudaFp32OracleAgreementTest
grep -E "ssdStrongDecay|differs" "$out/fp32-before.log" | head -6
limited_tests
bash tools/conformance/run_all.sh jcuda .gpu/conformance-in "$out/conformance-jcuda" bash .gpu/run.sh dev.mdm.tck.Conformance
echo "conformance exit $?"
step step-new 90
step step-v32 90 "" .gpu/baseline/mdm-backend-jcuda.jar
gpu_state
mkdir -p "$keep" && cp "$out"/tests.log "$out"/fp32-before.log "$keep"/
tar czf "$keep/logs.tgz" -C "$out" --exclude conformance-jcuda . && tar czf "$keep/conformance-jcuda.tgz" -C "$out" conformance-jcuda
