# Steps this folder's GPU calls share (session 33), on top of session 32's; a call script sets out=$OUT and sources it.
. docs/eval/gpu-2026-12-16/lib.sh

# step_bytes NAME [JAR]: ncu's time and DRAM bytes of every kernel of one 4-block paper-width BF16 step, per kernel
# name, into $out/NAME.csv.gz
step_bytes() {
  MDM_JCUDA_JAR="${2:-}" timeout 300 $ncu --target-processes all --clock-control none --cache-control none \
    --metrics gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum --print-summary per-kernel --csv \
    bash $run $train --out /tmp/profile.json --only paper:8:bf16 --blocks 4 --warmup 0 --repeats 1 \
    > "$out/$1.csv" 2>&1
  echo "$1 exit $?"
  gzip -f "$out/$1.csv"
}

# tests_and_paper NAME: every jcuda test, then paper:8:bf16 once into $out/NAME.json, all into $out/results.tgz
tests_and_paper() {
  gpu_state
  tests tests-module --select-package dev.mdm.backend.jcuda
  gzip -f $out/tests-module.log
  train_bench "$1" paper:8:bf16
  gpu_state
  (cd $out && tar czf results.tgz *.json *.log.gz gpu-state.txt 2>/dev/null && rm -f *.json *.log.gz)
}
