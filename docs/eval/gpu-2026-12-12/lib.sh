# Steps this folder's GPU calls share (session 28), on top of session 27's; a call script sets out=$OUT and sources it.
. docs/eval/gpu-2026-12-11/lib.sh

# steps NAME ROWS [JAVA_OPTS] [JAR]: StepBenchmark's rows (e.g. 324x1,1092x1) into $out/NAME.json, medians of 20
steps() {
  MDM_JAVA_OPTS="${3:-}" MDM_JCUDA_JAR="${4:-}" timeout 120 bash $run dev.mdm.backend.jcuda.bench.StepBenchmark \
    --repeats 20 --only "$2" --out "$out/$1.json" > "$out/$1.log" 2>&1
  echo "$1 exit $?"
  grep -E '^ +[0-9]+ x|in-graph|rror|xception' "$out/$1.log" | sed "s/^/$1 /"
}

# z_branch_variants ROWS ROUNDS: the step with z's GEMM on a graph branch joined before the walk, joined before the
# output kernel, and as one GEMM with x, B and C (-Dmdm.jcuda.zBranchMaxRows=0: the previous build's graph),
# alternating ROUNDS times; the branch at every row of ROWS (maxRows 20000)
z_branch_variants() {
  for r in $(seq 1 $2); do
    steps one-gemm-$r "$1" -Dmdm.jcuda.zBranchMaxRows=0
    steps join-walk-$r "$1" "-Dmdm.jcuda.zBranchMaxRows=20000 -Dmdm.jcuda.zJoin=walk"
    steps join-output-$r "$1" "-Dmdm.jcuda.zBranchMaxRows=20000 -Dmdm.jcuda.zJoin=output"
  done
}

# pack_results: every JSON and log under $out into $out/results.tgz (a call brings back at most 8 files)
pack_results() {
  (cd $out && tar czf results.tgz *.json *.log gpu-state.txt 2>/dev/null && rm -f *.json *.log)
}

# paper_jfr REPEATS: a Java Flight Recording of the paper BF16 row, into $out/paper.jfr and paper.json
paper_jfr() {
  MDM_JAVA_OPTS="-XX:StartFlightRecording=filename=$out/paper.jfr,settings=profile" timeout 300 bash $run $train \
    --out $out/paper.json --only paper:8:bf16 --warmup 3 --repeats $1 2>&1 | grep -E '^paper|rror|xception'
}

# fused_and_module_tests: calls 3 and 4: the card's state, dt_conv_weights' bit-for-bit test, every jcuda test, the
# card's state (the calls ran with these lines written out; gathered here afterwards, unchanged)
fused_and_module_tests() {
  gpu_state
  tests tests-fused --select-class dev.mdm.backend.jcuda.cuda.DtConvWeightsTest
  tests tests-module --select-package dev.mdm.backend.jcuda
  gpu_state
}
