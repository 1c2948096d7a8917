# Steps this folder's GPU calls share (session 27), on top of sessions 25 and 26's; a call script sets out=$OUT and
# sources it.
. docs/eval/gpu-2026-12-10/lib.sh

# paper_profile NAME [JAR]: ncu's time of every kernel of one 4-block paper-width BF16 step (kernel_profile's) for this
# build or JAR, into $out/NAME.csv.gz
paper_profile() {
  MDM_JCUDA_JAR="${2:-}" timeout 240 $ncu --target-processes all --clock-control none --cache-control none \
    --metrics gpu__time_duration.sum --print-summary per-kernel --csv bash $run $train --out /tmp/profile.json \
    --only paper:8:bf16 --blocks 4 --warmup 0 --repeats 1 > "$out/$1.csv" 2>&1
  echo "$1 exit $?"
  gzip -f "$out/$1.csv"
}

# chunk_sass NAME [JAR]: ncu's SourceCounters per SASS instruction of one launch of the backward's TF32 chunk kernel
# at the paper's shape (call 9 of session 26, that kernel only), into $out/NAME.csv.gz
chunk_sass() {
  MDM_JCUDA_JAR="${2:-}" timeout 200 $ncu --target-processes all --section SourceCounters \
    -k regex:'tb_ssd_bwd_chunk_tf32' -c 1 --page source --print-source sass --csv bash $run $train \
    --out /tmp/p.json --only paper:8:bf16 --blocks 1 --warmup 0 --repeats 1 > "$out/$1.csv" 2>&1
  echo "$1 exit $?"
  gzip -f "$out/$1.csv"
}

# fashion60 NAME [JAR]: the fashion BF16 row over 60 timed steps (its median falls as the JIT warms: session 26,
# call 17), into $out/NAME.json
fashion60() {
  MDM_JCUDA_JAR="${2:-}" timeout 200 bash $run $train --out "$out/$1.json" --only fashion:128:bf16 --repeats 60 2>&1 \
    | grep -E '^fashion|rror|xception' | sed "s/^/$1 /"
}

# bench_jars NAME JCUDA_JAR API_JAR ARGS...: TrainBenchmark with both the backend's and mdm-api's jars replaced (run.sh
# swaps only the backend's), for a change in mdm-api; run.sh must have unpacked the runtime first
bench_jars() {
  local name=$1 jcuda=$2 api=$3; shift 3
  local cp=".gpu/test-classes:$jcuda:$api$(printf ':%s' $(ls .gpu/lib/*.jar | grep -v -e '/mdm-backend-jcuda-' -e '/mdm-api-'))"
  LD_LIBRARY_PATH=/usr/local/cuda/lib64 timeout 200 /tmp/mdm-jre/bin/java --enable-native-access=ALL-UNNAMED -Xss4m \
    -Dai.djl.offline=true -cp "$cp" $train --out "$out/$name.json" "$@" 2>&1 \
    | grep -E '^(fashion|paper)|rror|xception' | sed "s/^/$name /"
}

# fashion60_jars NAME JCUDA_JAR API_JAR: fashion60 with both jars replaced (call 3)
fashion60_jars() {
  bench_jars "$1" "$2" "$3" --only fashion:128:bf16 --repeats 60
}

# The calls ran with the steps below written out in each script; they were gathered here afterwards, unchanged.

# compare_and_profile: calls 1 and 4: the training package's tests, the two BF16 rows against the baseline jar
# alternating twice, both builds' paper profiles and the new chunk kernel's SASS counters
compare_and_profile() {
  training_tests
  alternate fashion:128:bf16,paper:8:bf16
  gpu_state
  paper_profile profile-new
  paper_profile profile-base $base
  chunk_sass sass-new
  pack_logs tests-training.log
}

# paper_pair_and_jfr: calls 2, 3 and 6: the paper row for this build and the baseline jar, a flight recording of 300
# fashion steps, then every JSON and text output into $out/results.tgz (a call brings back at most 8 files)
paper_pair_and_jfr() {
  train_bench paper-new paper:8:bf16
  train_bench paper-base paper:8:bf16 $base
  gpu_state
  fashion_jfr 300
  (cd $out && tar czf results.tgz *.json *.txt && rm *.json *.txt)
}

# end_against_start: calls 8 and 10: TrainBenchmark's four rows for this build and for the baseline's backend and
# mdm-api jars alternating twice, then the fashion BF16 row at 60 steps alternating twice
end_against_start() {
  local rows=fashion:128,fashion:128:bf16,paper:8,paper:8:bf16 api=.gpu/baseline/mdm-api.jar
  gpu_state
  train_bench end-1 $rows
  bench_jars start-1 $base $api --only $rows
  train_bench end-2 $rows
  bench_jars start-2 $base $api --only $rows
  fashion60 end60-1
  fashion60_jars start60-1 $base $api
  fashion60 end60-2
  fashion60_jars start60-2 $base $api
  gpu_state
}

# fashion60_alternate N: calls 11 and 12: the fashion BF16 row at 60 steps for this build and the baseline jar,
# alternating N times
fashion60_alternate() {
  for i in $(seq 1 $1); do
    fashion60 new60-$i
    fashion60 base60-$i $base
  done
}

# tests_then_end_against_start: calls 10 and 14: every jcuda test, end_against_start, the JSON into $out/results.tgz
tests_then_end_against_start() {
  module_tests
  end_against_start
  (cd $out && tar czf results.tgz *.json gpu-state.txt && rm *.json gpu-state.txt)
}
