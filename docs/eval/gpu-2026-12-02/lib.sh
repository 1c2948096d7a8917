# Session 18's GPU steps: session 17's (docs/eval/gpu-2026-12-01/lib.sh: begin_call, end_call, and through it
# limited_tests, step NAME LIMIT [OPTS] [JAR], gpu_state).
. docs/eval/gpu-2026-12-01/lib.sh
