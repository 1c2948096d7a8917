#!/usr/bin/env bash
# Session 21, call 9 (after a data call): a Java Flight Recording of mdm train on the H100 (fresh fashion weights,
# FP32, batch 128, 1 minute), to find the ≈ 16 ms a step that mdm train spends beyond TrainBenchmark's session.step
# (call 7). Analysed here with JDK 25's jfr.  bash docs/eval/gpu-2026-12-05/call9.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
export MDM_JAVA_OPTS="-XX:StartFlightRecording=filename=$out/train.jfr,settings=profile"
bash .gpu/run.sh dev.mdm.examples.Main train --backend jcuda --preset fashion --fresh --dataset fashion \
    --fashion-dir /tmp/fashion-mnist --steps 100000 --batch 128 --ema-decay 0.999 --checkpoint-every 100000 --lr 1e-3 \
    --seed 0 --time-limit 1.0 --out /tmp/t1 > "$out/train.log" 2>&1
ls -l "$out"; grep trained "$out/train.log"
