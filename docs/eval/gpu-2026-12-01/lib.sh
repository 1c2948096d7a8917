# Session 17's GPU steps: those of docs/eval/gpu-2026-11-30/lib.sh (limited_tests, step NAME LIMIT [OPTS] [JAR],
# gpu_state, class_tests, step_bench), which it sources.
. docs/eval/gpu-2026-11-30/lib.sh

# begin_call (after out= and keep=): the card's state, then every jcuda test into $out/tests.log
begin_call() {
  gpu_state
  limited_tests
}

# end_call: the card's state again; the steps' JSON, the test log and every log (logs.tgz) into $keep
end_call() {
  gpu_state
  mkdir -p "$keep" && cp "$out"/step-*.json "$keep"/
  [ -f "$out/tests.log" ] && cp "$out/tests.log" "$keep"/
  tar czf "$keep/logs.tgz" -C "$out" .
}
