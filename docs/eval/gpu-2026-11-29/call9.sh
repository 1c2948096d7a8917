# Session 15, call 9 (issue 5): the SSD output kernel as a programmatic dependent launch of the state scan
# (cuLaunchKernelEx through FFM; the scan signals at its start, the output copies x, C, B and prefetches z, then waits
# for the scan before it copies the states; -Dmdm.jcuda.dependentOutput, on in this build), against v30 (7fd1c8b's
# jar); every jcuda test. Steps under a time limit, in case a dependent launch hangs.
# tools/gpu/pack.sh --tests --baseline=7fd1c8b; bash docs/eval/gpu-2026-11-29/call9.sh $OUT
keep=$1
out=/tmp/call9
. docs/eval/gpu-2026-11-29/lib.sh
gpu_state
limited_tests
step step-v30 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-new 90
step step-plain 90 -Dmdm.jcuda.dependentOutput=false
step step-v30b 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-new2 90
step step-plain2 90 -Dmdm.jcuda.dependentOutput=false
gpu_state
mkdir -p "$keep" && cp "$out"/tests.log "$out"/step-new.json "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
