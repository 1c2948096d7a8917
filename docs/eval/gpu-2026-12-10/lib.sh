# Steps this folder's GPU calls share (session 26), on top of session 25's; a call script sets out=$OUT and sources
# it. The calls ran with these lines written out in each script; they were gathered here afterwards, unchanged.
. docs/eval/gpu-2026-12-09/lib.sh

# training_tests: the training package's tests between two GPU state lines
training_tests() {
  gpu_state
  tests tests-training --select-package dev.mdm.backend.jcuda.training
  gpu_state
}

# module_tests: every jcuda test between two GPU state lines, the log and the states packed into $out/logs.tgz
module_tests() {
  gpu_state
  tests tests-module --select-package dev.mdm.backend.jcuda
  gpu_state
  pack_logs tests-module.log
}

# chunk_kernels_ncu NAME [JAVA_OPTS]: ncu's full sections for one launch each of the TF32 chunk kernel and the
# forward's output kernel of a 1-block paper-width BF16 step, into $out/NAME.txt.gz
chunk_kernels_ncu() {
  MDM_JAVA_OPTS="${2:-}" timeout 200 $ncu --target-processes all --set full \
    -k regex:'tb_ssd_(bwd_chunk|fwd_chunk_output)_tf32' -c 2 --page details \
    bash $run $train --out /tmp/p.json --only paper:8:bf16 --blocks 1 --warmup 0 --repeats 1 > $out/$1.txt 2>&1
  echo "$1 exit $?"
  gzip -f $out/$1.txt
}

# fashion_profile NAME [JAR] [JAVA_OPTS]: ncu's time of every kernel of a fashion BF16 step (one warm-up step and one
# timed step), into $out/NAME.csv.gz
fashion_profile() {
  MDM_JCUDA_JAR="${2:-}" MDM_JAVA_OPTS="${3:-}" timeout 240 $ncu --target-processes all --clock-control none \
    --cache-control none --metrics gpu__time_duration.sum --print-summary per-kernel --csv bash $run $train \
    --out /tmp/profile.json --only fashion:128:bf16 --warmup 1 --repeats 1 > $out/$1.csv 2>&1
  echo "$1 exit $?"
  gzip -f $out/$1.csv
}

# fashion_jfr REPEATS: a Java Flight Recording of the fashion BF16 row, into $out/fashion.jfr and fashion.json
fashion_jfr() {
  MDM_JAVA_OPTS="-XX:StartFlightRecording=filename=$out/fashion.jfr,settings=profile" timeout 300 bash $run $train \
    --out $out/fashion.json --only fashion:128:bf16 --warmup 3 --repeats $1 2>&1 | grep -E '^fashion|rror|xception'
}

# pack_logs LOG: LOG and the GPU states into $out/logs.tgz (a call brings back at most 8 files)
pack_logs() {
  tar czf $out/logs.tgz -C $out $1 gpu-state.txt && rm $out/$1 $out/gpu-state.txt
}
