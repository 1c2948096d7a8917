# Session 15, call 4 (issue 5): the state scan and the folded one-head output kernel in one persistent launch
# (ssd_scan_output: outputs of early chunks run while the walk is on later ones; -Dmdm.jcuda.fusedScanOutput, on in
# this build), with in_proj's zxbc form; against the same build unfused, and v27 (189a361's jar). Every step has a
# time limit: a persistent kernel that waited forever would otherwise hold the call.
# tools/gpu/pack.sh --tests --baseline=189a361; bash docs/eval/gpu-2026-11-29/call4.sh $OUT
keep=$1
out=/tmp/call4
. docs/eval/gpu-2026-11-26/lib.sh
# step NAME LIMIT [JAVA_OPTS] [JAR]: step_bench under a time limit
step() {
  MDM_JAVA_OPTS="${3:-}" MDM_JCUDA_JAR="${4:-}" timeout "$2" bash $run dev.mdm.backend.jcuda.bench.StepBenchmark \
    --repeats 20 --out "$out/$1.json" > "$out/$1.log" 2>&1
  echo "$1 exit $?"
  grep -E '^ +[0-9]+ x|in-graph|20-step|rror|xception' "$out/$1.log" | sed "s/^/$1 /"
}
gpu_state
timeout 200 bash $run --tests --select-package dev.mdm.backend.jcuda > "$out/tests.log" 2>&1
echo "tests exit $?"
grep -E 'tests (successful|failed|found)' "$out/tests.log"
grep -E '✘' "$out/tests.log" | head -20
step step-v27 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-fused 90
step step-unfused 90 -Dmdm.jcuda.fusedScanOutput=false
step step-v27b 90 "" .gpu/baseline/mdm-backend-jcuda.jar
step step-fused2 90
step step-unfused2 90 -Dmdm.jcuda.fusedScanOutput=false
gpu_state
mkdir -p "$keep" && cp "$out"/tests.log "$out"/step-fused.json "$keep"/
tar czf "$keep/logs.tgz" -C "$out" .
