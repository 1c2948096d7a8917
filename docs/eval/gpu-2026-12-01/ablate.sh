# Session 17: one arm of the scan-switch ablation (issue 7, the paper's Tab. 3 shape) with the shipped model's recipe of
# runs 5-9 (lr 1e-3 for fresh weights as in run 1, caption 4 and vqa 2 in the task mix, EMA 0.999, fp32), from fresh
# weights of the given seed, 3 400 steps of batch 128 (435 200 examples, 7.3 epochs of the train split), then the standard evaluation
# without scenes. After a call that carried .gpu-data and ran `bash .gpu-data/unpack.sh` (tools/gpu/pack.sh --examples
# --data), within the machine's idle time:
#   bash docs/eval/gpu-2026-12-01/ablate.sh $OUT/NAME SEED IMAGE_SCANS TEXT_SCANS
keep=$1 seed=$2 img=$3 txt=$4
out=/tmp/ablate-$seed-$img-$txt
mkdir -p "$out" "$keep"
M="bash .gpu/run.sh dev.mdm.examples.Main"
nvidia-smi --query-gpu=clocks.sm,temperature.gpu,clocks_throttle_reasons.active --format=csv,noheader
$M train --backend jcuda --preset fashion --fresh --image-scans "$img" --text-scans "$txt" --seed "$seed" \
  --dataset fashion --fashion-dir /tmp/fashion-mnist --steps 3400 --batch 128 --ema-decay 0.999 \
  --checkpoint-every 100000 --lr 1e-3 --task-mix caption=4,vqa=2 --time-limit 7 --out "$out/run" > "$out/train.log" 2>&1
echo "train exit $?"
tr '\r' '\n' < "$out/train.log" | grep -v '^$' | tail -4
$M eval --backend jcuda --checkpoint "$out/run/ema.safetensors" --per-class 100 --text 1000 --scenes 0 --steps 25 \
  --guidance 2 --batch 50 --fashion-dir /tmp/fashion-mnist --out "$out/eval" > "$out/eval.log" 2>&1
echo "eval exit $?"
tail -12 "$out/eval.log"
nvidia-smi --query-gpu=clocks.sm,temperature.gpu,clocks_throttle_reasons.active --format=csv,noheader
gzip -c "$out/run/loss.json" > "$keep/loss.json.gz"
cp "$out"/eval/*.json "$keep"/ 2>/dev/null
tr '\r' '\n' < "$out/train.log" | grep -v '^$' | tail -40 > "$keep/train-tail.log"
cp "$out/eval.log" "$keep/"
