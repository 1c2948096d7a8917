# Session 16's GPU steps: those of docs/eval/gpu-2026-11-29/lib.sh (limited_tests, step NAME LIMIT [OPTS] [JAR]) and
# of docs/eval/gpu-2026-11-26/lib.sh (gpu_state, class_tests, step_bench), which it sources.
. docs/eval/gpu-2026-11-29/lib.sh
