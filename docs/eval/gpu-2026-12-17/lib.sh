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
