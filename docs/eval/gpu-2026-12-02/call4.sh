# Session 18, call 4: the state scan with deeper cp.async pipelines (5 and 7 stages: at 324 tokens all six chunks in
# flight at the walk's start; -Dmdm.jcuda.stateScanStages): the BF16 oracle tests at 7 stages, then steps at 3 (the
# default), 5 and 7 stages, alternating.
# tools/gpu/pack.sh --tests; bash docs/eval/gpu-2026-12-02/call4.sh $OUT/call4
keep=$1
out=/tmp/call4
. docs/eval/gpu-2026-12-02/lib.sh
gpu_state
class_tests tests-s7 dev.mdm.backend.jcuda.JcudaBf16OracleAgreementTest -Dmdm.jcuda.stateScanStages=7
step step-s3 90
step step-s7 90 -Dmdm.jcuda.stateScanStages=7
step step-s5 90 -Dmdm.jcuda.stateScanStages=5
step step-s3b 90
step step-s7b 90 -Dmdm.jcuda.stateScanStages=7
gpu_state
mkdir -p "$keep" && cp "$out"/step-*.json "$out"/tests-s7.log "$keep"/ && tar czf "$keep/logs.tgz" -C "$out" .
