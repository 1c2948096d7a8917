# Steps this folder's GPU calls share (session 25); a call script sets out=$OUT and sources it.
run=.gpu/run.sh
train=dev.mdm.backend.jcuda.bench.TrainBenchmark
ncu=/opt/nvidia/nsight-compute/2025.3.1/ncu
base=.gpu/baseline/mdm-backend-jcuda.jar
Q="--query-gpu=clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv,noheader"
gpu_state() { nvidia-smi $Q >> "$out/gpu-state.txt"; }

# tests NAME SELECTORS...: the JUnit console on the given selectors into $out/NAME.log, its summary printed
tests() {
  name=$1; shift
  timeout 400 bash $run --tests "$@" > "$out/$name.log" 2>&1
  echo "$name exit $?"
  grep -E 'tests (successful|failed|found|skipped)' "$out/$name.log" | sed "s/^/$name /"
  grep -E '✘' "$out/$name.log" | head -30
}

# train_bench NAME ROWS [JAR] [JAVA_OPTS]: TrainBenchmark's rows into $out/NAME.json
train_bench() {
  MDM_JAVA_OPTS="${4:-}" MDM_JCUDA_JAR="${3:-}" timeout 200 bash $run $train --out "$out/$1.json" --only "$2" 2>&1 \
    | grep -E '^(fashion|paper)|rror|xception' | sed "s/^/$1 /"
}

# kernel_profile NAME: ncu's time of every kernel of one 4-block paper-width BF16 step, $out/NAME.csv.gz
kernel_profile() {
  timeout 240 $ncu --target-processes all --clock-control none --cache-control none \
    --metrics gpu__time_duration.sum --print-summary per-kernel --csv bash $run $train --out /tmp/profile.json \
    --only paper:8:bf16 --blocks 4 --warmup 0 --repeats 1 > "$out/$1.csv" 2>&1
  echo "profile exit $?"
  gzip -f "$out/$1.csv"
}

# training_compare PROFILE: calls 2-5's steps: the training package's tests, the two BF16 rows of this build and of
# the baseline jar alternating twice, then a kernel profile of this build
training_compare() {
  gpu_state
  tests tests-training --select-package dev.mdm.backend.jcuda.training
  gpu_state
  alternate paper:8:bf16,fashion:128:bf16
  gpu_state
  kernel_profile "$1"
}

# alternate ROWS: TrainBenchmark's rows for this build and for the baseline jar, alternating twice
alternate() {
  train_bench new-1 "$1"
  train_bench base-1 "$1" $base
  train_bench new-2 "$1"
  train_bench base-2 "$1" $base
}

# module_and_alternate ROWS: calls 12 and 14: every jcuda test, then ROWS alternating with the baseline jar
module_and_alternate() {
  gpu_state
  tests tests-module --select-package dev.mdm.backend.jcuda
  alternate "$1"
  gpu_state
  gzip -f $out/tests-module.log
}

# peer NAME ARGS...: peer_train.py with the mamba_ssm copy carried as .peer (calls 6 and 7), into $out/peer-NAME.*
peer() {
  name=$1; shift
  PYTHONPATH=.peer timeout 240 python3 docs/eval/gpu-2026-12-09/peer_train.py --out $out/peer-$name.json "$@" \
    > $out/peer-$name.log 2>&1
  echo "peer-$name exit $?"; tail -2 $out/peer-$name.log | cut -c1-400
}
