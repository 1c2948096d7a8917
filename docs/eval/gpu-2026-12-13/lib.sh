# Steps this folder's GPU calls share (session 29), on top of session 28's; a call script sets out=$OUT and sources it.
. docs/eval/gpu-2026-12-12/lib.sh

# heads_profile NAME HEADS: ncu's time of the backward's chunk kernel and tb_group_sum in one 4-block paper-width BF16
# step with HEADS heads a block of the chunk kernel (the property of chunk-heads.patch, call 1), into $out/NAME.csv
heads_profile() {
  MDM_JAVA_OPTS="-Dmdm.jcuda.chunkHeadsPerBlock=$2" timeout 150 $ncu --target-processes all --clock-control none \
    --cache-control none -k regex:'tb_ssd_bwd_chunk_tf32|tb_group_sum' --metrics gpu__time_duration.sum \
    --print-summary per-kernel --csv bash $run $train --out /tmp/profile.json --only paper:8:bf16 --blocks 4 \
    --warmup 0 --repeats 1 > "$out/$1.csv" 2>&1
  echo "$1 exit $?"
}

# heads_bench NAME ROWS HEADS: TrainBenchmark's rows with HEADS heads a block of the chunk kernel, into $out/NAME.json
heads_bench() {
  train_bench "$1" "$2" "" "-Dmdm.jcuda.chunkHeadsPerBlock=$3"
}

# sums_profile NAME [JAR]: ncu's time of the backward's chunk kernel and the group sum (either type) in one 4-block
# paper-width BF16 step for this build or JAR, into $out/NAME.csv
sums_profile() {
  MDM_JCUDA_JAR="${2:-}" timeout 150 $ncu --target-processes all --clock-control none --cache-control none \
    -k regex:'tb_ssd_bwd_chunk_tf32|tb_group_sum' --metrics gpu__time_duration.sum --print-summary per-kernel --csv \
    bash $run $train --out /tmp/profile.json --only paper:8:bf16 --blocks 4 --warmup 0 --repeats 1 > "$out/$1.csv" 2>&1
  echo "$1 exit $?"
}
