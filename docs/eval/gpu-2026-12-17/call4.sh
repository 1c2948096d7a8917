#!/usr/bin/env bash
# Session 33, call 4: the gated norm forward keeping its first pass's y and z in registers (bit-identical), and the
# session's end against its start. Every jcuda test; then paper:8:bf16 for this build, call 2's build (8a57427's jar,
# .gpu/baseline/head.jar) and the session's start (9abe96c, the pack's baseline jar), in turn, twice; fashion:128:bf16
# at 60 steps against the start, twice; ncu's time and DRAM bytes of the gated norm forward in a 4-block step of this
# build and of 8a57427's. Packed with tools/gpu/pack.sh --tests --baseline=9abe96c, then 8a57427's jar copied to
# .gpu/baseline/head.jar; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-17/lib.sh
head=.gpu/baseline/head.jar
# norm_bytes NAME [JAR]: step_bytes for the gated norm kernels only
norm_bytes() {
  MDM_JCUDA_JAR="${2:-}" timeout 200 $ncu --target-processes all --clock-control none --cache-control none \
    -k regex:'tb_gated_norm' --metrics gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum \
    --print-summary per-kernel --csv bash $run $train --out /tmp/profile.json --only paper:8:bf16 --blocks 4 \
    --warmup 0 --repeats 1 > "$out/$1.csv" 2>&1
  echo "$1 exit $?"
}
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
gzip -f $out/tests-module.log
gpu_state
for i in 1 2; do
  train_bench new-$i paper:8:bf16
  train_bench head-$i paper:8:bf16 $head
  train_bench base-$i paper:8:bf16 $base
done
gpu_state
fashion60_alternate 2
gpu_state
norm_bytes norm-new
norm_bytes norm-head $head
gpu_state
(cd $out && tar czf results.tgz *.json *.log.gz *.csv gpu-state.txt 2>/dev/null && rm -f *.json *.log.gz *.csv)
