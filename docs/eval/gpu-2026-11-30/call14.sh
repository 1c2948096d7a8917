# Session 16, call 14: the review build (pair_scan shared by the two cumulative sums: PTX of every kernel unchanged;
# the strong-decay tests sharing one helper): the oracle classes and the dt kernel's test, then every jcuda test.
# tools/gpu/pack.sh --tests; bash docs/eval/gpu-2026-11-30/call14.sh $OUT
keep=$1
out=/tmp/call14
. docs/eval/gpu-2026-11-30/lib.sh
class_tests fp32 dev.mdm.backend.jcuda.JcudaFp32OracleAgreementTest
grep "decay accuracy" "$out/fp32.log"
limited_tests
mkdir -p "$keep" && cp "$out"/*.log "$keep"/
