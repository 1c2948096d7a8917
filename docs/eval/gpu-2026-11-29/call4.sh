# Session 15, call 4 (issue 5): the state scan and the folded one-head output kernel in one persistent launch
# (ssd_scan_output: outputs of early chunks run while the walk is on later ones; -Dmdm.jcuda.fusedScanOutput, on in
# this build), with in_proj's zxbc form; against the same build unfused, and v27 (189a361's jar). Every step has a
# time limit: a persistent kernel that waited forever would otherwise hold the call.
# tools/gpu/pack.sh --tests --baseline=189a361; bash docs/eval/gpu-2026-11-29/call4.sh $OUT
keep=$1
out=/tmp/call4
. docs/eval/gpu-2026-11-29/lib.sh
gpu_state
limited_tests
step step-v27 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-fused 90
step step-unfused 90 -Dmdm.jcuda.fusedScanOutput=false
step step-v27b 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-fused2 90
step step-unfused2 90 -Dmdm.jcuda.fusedScanOutput=false
gpu_state
mkdir -p "$keep" && cp "$out"/tests.log "$out"/step-fused.json "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
