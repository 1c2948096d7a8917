# The steps this folder's GPU calls share; a call script sources it after setting out=$1. Each step writes under
# $out and prints its summary lines (the device tool returns only a few files, and the tail of the output).
run=.gpu/run.sh
train=dev.mdm.backend.jcuda.bench.TrainBenchmark
ncu=/opt/nvidia/nsight-compute/2025.3.1/ncu
mkdir -p "$out"
# TrainBenchmark's four rows: both presets at both precisions
all_rows=fashion:128,fashion:128:bf16,paper:8,paper:8:bf16

# module_tests NAME [JAVA_OPTS]: every test of the jcuda module into $out/NAME.log
module_tests() {
  MDM_JAVA_OPTS="${2:-}" bash $run --tests --select-package dev.mdm.backend.jcuda > "$out/$1.log" 2>&1
  grep -E 'tests (successful|failed|found)' "$out/$1.log" | sed "s/^/$1 /"
  grep -E '✘' "$out/$1.log" | head -30
}

# train_bench NAME ROWS [JAVA_OPTS] [JAR]: TrainBenchmark's rows into $out/NAME.json (JAR: pack.sh --baseline's jar)
train_bench() {
  MDM_JAVA_OPTS="${3:-}" MDM_JCUDA_JAR="${4:-}" bash $run $train --out "$out/$1.json" --only "$2" 2>&1 \
    | grep -E 'ceilings|GEMMs|rror|xception' | sed "s/^/$1 /"
}

# chunked_and_sweep ROWS: TrainBenchmark with the chunked SSD backward, then with the sweep (the same build)
chunked_and_sweep() {
  train_bench train-chunked "$1"
  train_bench train-sequential "$1" -Dmdm.jcuda.scanBackward=sequential
}

# kernel_profile NAME [JAVA_OPTS]: ncu's time of every kernel of one 4-block paper-width BF16 step, $out/NAME.csv
kernel_profile() {
  MDM_JAVA_OPTS="${2:-}" timeout 200 $ncu --target-processes all --clock-control none --cache-control none \
    --metrics gpu__time_duration.sum --print-summary per-kernel --csv bash $run $train --out /tmp/profile.json \
    --only paper:8:bf16 --blocks 4 --warmup 0 --repeats 1 > "$out/$1.csv" 2>&1
  echo "profile exit $?"
}

# tests_and_baseline ROWS: the card's state, every test of the module, then the rows of pack.sh --baseline's jar
tests_and_baseline() {
  gpu_state
  module_tests tests
  train_bench train-base "$1" "" .gpu/baseline/mdm-backend-jcuda.jar
}

gpu_state() {
  nvidia-smi --query-gpu=clocks.sm,temperature.gpu,clocks_throttle_reasons.active --format=csv,noheader
}

# step_bench NAME [JAVA_OPTS] [JAR]: StepBenchmark (inference, every row) into $out/NAME.json, its rows printed
step_bench() {
  MDM_JAVA_OPTS="${2:-}" MDM_JCUDA_JAR="${3:-}" bash $run dev.mdm.backend.jcuda.bench.StepBenchmark --repeats 20 \
    --out "$out/$1.json" > "$out/$1.log" 2>&1
  grep -E '^ +[0-9]+ x|in-graph|20-step|rror|xception' "$out/$1.log" | sed "s/^/$1 /"
}

# class_tests NAME CLASS [JAVA_OPTS]: one test class of the jcuda module into $out/NAME.log
class_tests() {
  MDM_JAVA_OPTS="${3:-}" bash $run --tests --select-class "$2" > "$out/$1.log" 2>&1
  grep -E 'tests (successful|failed|found)' "$out/$1.log" | sed "s/^/$1 /"
  grep -E '✘' "$out/$1.log" | head -10
}
