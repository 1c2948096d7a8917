# Session 16, call 10: call 9's one failure (BF16 modelMatches, one denoiser element 0.0113 off) came after the new
# strong-decay test had shifted the shared random numbers of the later tests; the new test now draws its own. The two
# oracle classes with this build and with v32's jar (95f6668), then every jcuda test.
# tools/gpu/pack.sh --tests --baseline=95f6668; bash docs/eval/gpu-2026-11-30/call10.sh $OUT
keep=$1
out=/tmp/call10
. docs/eval/gpu-2026-11-30/lib.sh
class_tests bf16-new dev.mdm.backend.jcuda.JcudaBf16OracleAgreementTest
MDM_JCUDA_JAR=.gpu/baseline/mdm-backend-jcuda.jar class_tests bf16-v32 dev.mdm.backend.jcuda.JcudaBf16OracleAgreementTest
class_tests fp32-new dev.mdm.backend.jcuda.JcudaFp32OracleAgreementTest
MDM_JCUDA_JAR=.gpu/baseline/mdm-backend-jcuda.jar class_tests fp32-v32 dev.mdm.backend.jcuda.JcudaFp32OracleAgreementTest
limited_tests
mkdir -p "$keep" && cp "$out"/*.log "$keep"/
