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
