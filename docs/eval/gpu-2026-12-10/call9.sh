#!/usr/bin/env bash
# Session 26, call 9 (issue 6): where the specialized TF32 chunk kernels' instructions go: ncu's SourceCounters per SASS
# instruction for one launch each of the backward's chunk kernel and the forward's output kernel, at fashion's shape
# (chunks of 64, P 32, N 64) and at the paper's (chunks of 32, P 64, N 128). Packed with tools/gpu/pack.sh; run from
# the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
for row in fashion:128:bf16 paper:8:bf16; do
  name=${row%%:*}
  timeout 200 $ncu --target-processes all --section SourceCounters -k regex:'tb_ssd_(bwd_chunk|fwd_chunk_output)_tf32' \
    -c 2 --page source --print-source sass --csv bash $run $train --out /tmp/p.json --only $row --blocks 1 \
    --warmup 0 --repeats 1 > $out/sass-$name.csv 2>&1
  echo "sass $name exit $?"; head -c 300 $out/sass-$name.csv | head -5
  gzip -f $out/sass-$name.csv
done
