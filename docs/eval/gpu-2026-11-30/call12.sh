# Session 16, call 12: the kit's FP32 rule passes v32's jar even at strong decay (call 11), so a test of the property
# itself: the FP32 SSD's largest error over the output's RMS, with this build and with v32's jar (95f6668), printed.
# tools/gpu/pack.sh --tests --baseline=95f6668; bash docs/eval/gpu-2026-11-30/call12.sh $OUT
keep=$1
out=/tmp/call12
. docs/eval/gpu-2026-11-30/lib.sh
class_tests fp32-new dev.mdm.backend.jcuda.JcudaFp32OracleAgreementTest
grep "decay accuracy" "$out/fp32-new.log"
MDM_JCUDA_JAR=.gpu/baseline/mdm-backend-jcuda.jar class_tests fp32-v32 dev.mdm.backend.jcuda.JcudaFp32OracleAgreementTest
grep "decay accuracy" "$out/fp32-v32.log"
mkdir -p "$keep" && cp "$out"/*.log "$keep"/
