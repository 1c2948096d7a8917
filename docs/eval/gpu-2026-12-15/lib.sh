# Steps this folder's GPU calls share (session 31), on top of session 30's; a call script sets out=$OUT and sources it.
. docs/eval/gpu-2026-12-14/lib.sh

# ssd_profile NAME [JAR]: ncu's time and DRAM bytes of the chunked SSD's kernels (tb_ssd_*) in one 4-block
# paper-width BF16 step for this build or JAR, into $out/NAME.csv
ssd_profile() {
  MDM_JCUDA_JAR="${2:-}" timeout 150 $ncu --target-processes all --clock-control none --cache-control none \
    -k regex:'tb_ssd_' --metrics gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum \
    --print-summary per-kernel --csv bash $run $train --out /tmp/profile.json --only paper:8:bf16 --blocks 4 \
    --warmup 0 --repeats 1 > "$out/$1.csv" 2>&1
  echo "$1 exit $?"
}

# passes_ncu NAME: ncu's full sections for one launch each of the forward's and the backward's tensor-core passes over
# the chunks in a 1-block paper-width BF16 step, into $out/NAME.txt
passes_ncu() {
  timeout 200 $ncu --target-processes all --set full -k regex:'tb_ssd_(fwd|bwd)_chunk_states_tf32' -c 2 \
    --page details bash $run $train --out /tmp/p.json --only paper:8:bf16 --blocks 1 --warmup 0 --repeats 1 \
    > "$out/$1.txt" 2>&1
  echo "$1 exit $?"
}

# passes_sass NAME: ncu's SourceCounters (warp stall samples per SASS instruction) of one launch of the forward's
# tensor-core pass at the paper's shape, into $out/NAME.csv
passes_sass() {
  timeout 200 $ncu --target-processes all --section SourceCounters -k regex:'tb_ssd_fwd_chunk_states_tf32' -c 1 \
    --page source --print-source sass --csv bash $run $train --out /tmp/p.json --only paper:8:bf16 --blocks 1 \
    --warmup 0 --repeats 1 > "$out/$1.csv" 2>&1
  echo "$1 exit $?"
}
