# Steps this folder's GPU calls share (session 30), on top of session 29's; a call script sets out=$OUT and sources it.
. docs/eval/gpu-2026-12-13/lib.sh

# optimizer_profile NAME [JAR]: ncu's time of the optimizer's kernels (tm_*: the gradient norm's two passes, AdamW +
# EMA) in one 4-block paper-width BF16 step for this build or JAR, into $out/NAME.csv
optimizer_profile() {
  MDM_JCUDA_JAR="${2:-}" timeout 150 $ncu --target-processes all --clock-control none --cache-control none \
    -k regex:'tm_(sumsq|adamw)' --metrics gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum \
    --print-summary per-kernel --csv bash $run $train --out /tmp/profile.json --only paper:8:bf16 --blocks 4 \
    --warmup 0 --repeats 1 > "$out/$1.csv" 2>&1
  echo "$1 exit $?"
}
