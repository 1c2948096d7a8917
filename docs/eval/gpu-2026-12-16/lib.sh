# Steps this folder's GPU calls share (session 32), on top of session 31's; a call script sets out=$OUT and sources it.
. docs/eval/gpu-2026-12-15/lib.sh

# optimizer_profile NAME [JAR]: session 30's, with the EMA's own kernel (tm_ema) among the optimizer's kernels
optimizer_profile() {
  MDM_JCUDA_JAR="${2:-}" timeout 150 $ncu --target-processes all --clock-control none --cache-control none \
    -k regex:'tm_(sumsq|adamw|ema)' --metrics gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum \
    --print-summary per-kernel --csv bash $run $train --out /tmp/profile.json --only paper:8:bf16 --blocks 4 \
    --warmup 0 --repeats 1 > "$out/$1.csv" 2>&1
  echo "$1 exit $?"
}
