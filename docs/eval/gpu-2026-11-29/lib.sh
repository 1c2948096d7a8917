# Session 15's additions to docs/eval/gpu-2026-11-26/lib.sh (sourced first), with time limits: a kernel that waits on
# another (a persistent or a dependent launch) and never returns would otherwise hold the whole call.
. docs/eval/gpu-2026-11-26/lib.sh

# limited_tests: every test of the jcuda module into $out/tests.log, at most 200 s
limited_tests() {
  timeout 200 bash $run --tests --select-package dev.mdm.backend.jcuda > "$out/tests.log" 2>&1
  echo "tests exit $?"
  grep -E 'tests (successful|failed|found)' "$out/tests.log"
  grep -E '✘' "$out/tests.log" | head -20
}

# step NAME LIMIT [JAVA_OPTS] [JAR]: step_bench under a time limit of LIMIT seconds
step() {
  MDM_JAVA_OPTS="${3:-}" MDM_JCUDA_JAR="${4:-}" timeout "$2" bash $run dev.mdm.backend.jcuda.bench.StepBenchmark \
    --repeats 20 --out "$out/$1.json" > "$out/$1.log" 2>&1
  echo "$1 exit $?"
  grep -E '^ +[0-9]+ x|in-graph|20-step|rror|xception' "$out/$1.log" | sed "s/^/$1 /"
}
