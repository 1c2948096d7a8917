#!/usr/bin/env bash
# Session 21, call 5 (after a data call): mdm train's throughput on fashion, batch 128, fresh weights, seed 0, with
# the Trainer that builds each batch a step ahead (this build) against the mdm-api jar before it
# (.gpu/baseline/mdm-api.jar, commit 0adcbb9), alternated, 1.5 minutes each (MINUTES). The same seed must give the
# same losses.
#   bash docs/eval/gpu-2026-12-05/call5.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
tar xJf .gpu/jre.txz -C /tmp
Q="--query-gpu=clocks.sm,clocks.mem,temperature.gpu,power.draw,utilization.gpu --format=csv,noheader"
nvidia-smi $Q > "$out/gpu-state.txt"
new=$(ls .gpu/lib/*.jar | tr '\n' ':')
old=$(ls .gpu/lib/*.jar | grep -v '/mdm-api-' | tr '\n' ':').gpu/baseline/mdm-api.jar
java=(/tmp/mdm-jre/bin/java --enable-native-access=ALL-UNNAMED -Xss4m -Dai.djl.offline=true)
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
F="train --backend jcuda --preset fashion --fresh --dataset fashion --fashion-dir /tmp/fashion-mnist --steps 100000"
F="$F --batch 128 --ema-decay 0.999 --checkpoint-every 100000 --lr 1e-3 --seed 0 --time-limit ${MINUTES:-1.5}"
for run in before-1 after-1 before-2 after-2; do
  cp=$new; [ ${run%-*} = before ] && cp=$old
  "${java[@]}" -cp "$cp" dev.mdm.examples.Main $F --out /tmp/t-$run > "$out/train-$run.log" 2>&1
  cp /tmp/t-$run/loss.json /tmp/loss-$run.json
  nvidia-smi $Q >> "$out/gpu-state.txt"
done
tar czf "$out/losses.tgz" -C /tmp loss-before-1.json loss-after-1.json loss-before-2.json loss-after-2.json
grep -h "trained" "$out"/train-*.log
