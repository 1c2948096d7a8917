
# chunk_ncu NAME: ncu's full sections for one launch of the backward's tensor-core chunk kernel in a 1-block
# paper-width BF16 step, into $out/NAME.txt
chunk_ncu() {
  timeout 200 $ncu --target-processes all --set full -k regex:'tb_ssd_bwd_chunk_tf32' -c 1 \
    --page details bash $run $train --out /tmp/p.json --only paper:8:bf16 --blocks 1 --warmup 0 --repeats 1 \
    > "$out/$1.txt" 2>&1
  echo "$1 exit $?"
}
