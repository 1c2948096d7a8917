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

# chunk_ncu NAME: ncu's full sections for one launch of the backward's tensor-core chunk kernel in a 1-block
# paper-width BF16 step, into $out/NAME.txt
chunk_ncu() {
  timeout 200 $ncu --target-processes all --set full -k regex:'tb_ssd_bwd_chunk_tf32' -c 1 \
    --page details bash $run $train --out /tmp/p.json --only paper:8:bf16 --blocks 1 --warmup 0 --repeats 1 \
    > "$out/$1.txt" 2>&1
  echo "$1 exit $?"
}
