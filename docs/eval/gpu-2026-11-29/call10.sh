# Session 15, call 10 (issue 5): the state scan as a programmatic dependent launch of the conv + weights launch
# (which signals at its start; the scan waits for it first, then signals the output kernel;
# -Dmdm.jcuda.dependentScan, on in this build), against v31 (7c0f0e4's
# jar); every jcuda test. Steps under a time limit, in case a dependent launch hangs.
# tools/gpu/pack.sh --tests --baseline=7c0f0e4; bash docs/eval/gpu-2026-11-29/call10.sh $OUT
keep=$1
out=/tmp/call10
. docs/eval/gpu-2026-11-29/lib.sh
gpu_state
limited_tests
step step-v31 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-new 90
step step-plain 90 -Dmdm.jcuda.dependentScan=false
step step-v31b 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-new2 90
step step-plain2 90 -Dmdm.jcuda.dependentScan=false
gpu_state
mkdir -p "$keep" && cp "$out"/tests.log "$out"/step-new.json "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
