# Session 16, call 11: call 10's strong-decay test passed with v32's jar too (its heads were not all strongly
# decaying), so it now takes A from −16 to −8 and Δ from 0.1 to 0.5. The FP32 oracle class with this build and with
# v32's jar (95f6668: it should fail there), and the BF16 one with this build.
# tools/gpu/pack.sh --tests --baseline=95f6668; bash docs/eval/gpu-2026-11-30/call11.sh $OUT
keep=$1
out=/tmp/call11
. docs/eval/gpu-2026-11-30/lib.sh
class_tests fp32-new dev.mdm.backend.jcuda.JcudaFp32OracleAgreementTest
MDM_JCUDA_JAR=.gpu/baseline/mdm-backend-jcuda.jar class_tests fp32-v32 dev.mdm.backend.jcuda.JcudaFp32OracleAgreementTest
grep -E "differs" "$out/fp32-v32.log" | head -4
class_tests bf16-new dev.mdm.backend.jcuda.JcudaBf16OracleAgreementTest
mkdir -p "$keep" && cp "$out"/*.log "$keep"/
