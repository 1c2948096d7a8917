#!/usr/bin/env bash
# Session 21, call 7 (after a data call): where mdm train's step time goes. TrainBenchmark's fashion:128 row (one
# fixed random batch, FP32) beside mdm train on Fashion-MNIST (fresh weights, FP32, batch 128), same card, same call.
#   bash docs/eval/gpu-2026-12-05/call7.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
bash .gpu/run.sh dev.mdm.backend.jcuda.bench.TrainBenchmark --only fashion:128 --repeats 20 --out "$out/train-bench.json" \
    > "$out/train-bench.log" 2>&1
M="bash .gpu/run.sh dev.mdm.examples.Main"
F="train --backend jcuda --preset fashion --fresh --dataset fashion --fashion-dir /tmp/fashion-mnist --steps 100000"
F="$F --batch 128 --ema-decay 0.999 --checkpoint-every 100000 --lr 1e-3 --seed 0"
$M $F --time-limit 1.0 --out /tmp/t1 > "$out/train-default-mix.log" 2>&1
# the same with every example a joint one (the benchmark's batch noises every token of every example)
$M $F --time-limit 1.0 --task-mix joint=1,caption=0,vqa=0,class-to-image=0,text-to-image=0,text-to-text=0 --out /tmp/t2 > "$out/train-joint-only.log" 2>&1
bash .gpu/run.sh dev.mdm.backend.jcuda.bench.TrainBenchmark --only fashion:128 --repeats 20 --out "$out/train-bench-2.json" \
    > "$out/train-bench-2.log" 2>&1
grep -h "trained" "$out"/train-*.log; grep -h "median\|ms" "$out"/train-bench*.log | head -6
