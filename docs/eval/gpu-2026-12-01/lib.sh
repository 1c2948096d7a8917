# Session 17's GPU steps: those of docs/eval/gpu-2026-11-30/lib.sh (limited_tests, step NAME LIMIT [OPTS] [JAR],
# gpu_state, class_tests, step_bench), which it sources.
. docs/eval/gpu-2026-11-30/lib.sh
