# Session 18's GPU steps: session 17's (docs/eval/gpu-2026-12-01/lib.sh: begin_call, end_call, and through it
# limited_tests, step NAME LIMIT [OPTS] [JAR], gpu_state).
. docs/eval/gpu-2026-12-01/lib.sh

# quadratic_steps: calls 1 and 2's steps: as built, the chunked form everywhere, the quadratic form up to 18 chunks,
# alternating
quadratic_steps() {
  step step-new 90
  step step-chunked 90 -Dmdm.jcuda.quadraticMaxChunks=0
  step step-quad18 90 -Dmdm.jcuda.quadraticMaxChunks=18
  step step-new2 90
  step step-chunked2 90 -Dmdm.jcuda.quadraticMaxChunks=0
}
