#!/usr/bin/env bash
# Session 21, call 10 (after a data call): a training step no longer refreshes the runtime's inference copy of the
# weights (JcudaModelRuntime.lockedForSession). mdm train, fresh fashion weights, FP32, batch 128, 1 minute, this
# build against .gpu/baseline/mdm-backend-jcuda.jar (HEAD before it), alternated; then every jcuda test where the
# pack has them (it did not: with them it passed the 64 MiB a call carries).
#   bash docs/eval/gpu-2026-12-05/call10.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
F="dev.mdm.examples.Main train --backend jcuda --preset fashion --fresh --dataset fashion --fashion-dir /tmp/fashion-mnist"
F="$F --steps 100000 --batch 128 --ema-decay 0.999 --checkpoint-every 100000 --lr 1e-3 --seed 0 --time-limit 1.0"
for run in before-1 after-1 before-2 after-2; do
  jar=; [ ${run%-*} = before ] && jar=.gpu/baseline/mdm-backend-jcuda.jar
  MDM_JCUDA_JAR=$jar bash .gpu/run.sh $F --out /tmp/t-$run > "$out/train-$run.log" 2>&1
  cp /tmp/t-$run/loss.json /tmp/loss-$run.json
done
tar czf "$out/losses.tgz" -C /tmp loss-before-1.json loss-after-1.json loss-before-2.json loss-after-2.json
[ -d .gpu/tools ] && timeout 200 bash .gpu/run.sh --tests > "$out/tests.log" 2>&1
grep -h "trained" "$out"/train-*.log; grep -sE "tests (successful|failed)" "$out/tests.log"
