#!/usr/bin/env bash
# Session 25, call 1 (issue 6): the peer's training step beside ours, on one card. Run from the repository root with
# .gpu carried (tools/gpu/pack.sh, no options).
set -u
d=docs/eval/gpu-2026-12-09
Q="--query-gpu=clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv,noheader"
nvidia-smi $Q > $OUT/gpu-state.txt
{ python3 -c "import torch, triton, mamba_ssm; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'triton', triton.__version__, 'mamba_ssm', mamba_ssm.__version__)"
  python3 -c "import causal_conv1d; print('causal_conv1d', causal_conv1d.__version__)"; } > $OUT/env.txt 2>&1
cat $OUT/env.txt
run() { name=$1; shift; timeout 200 python3 $d/peer_train.py --out $OUT/peer-$name.json "$@" > $OUT/peer-$name.log 2>&1; echo "$name rc=$?"; tail -2 $OUT/peer-$name.log; }
mem=; grep -q "causal_conv1d " $OUT/env.txt || mem=--no-mem-eff
run eager-4blocks $mem --blocks 4 --profile $OUT/peer-profile-4blocks.txt
run eager $mem
run graph $mem --graph
nvidia-smi $Q >> $OUT/gpu-state.txt
timeout 150 bash .gpu/run.sh dev.mdm.backend.jcuda.bench.TrainBenchmark --out $OUT/ours.json --only paper:8:bf16 \
  > $OUT/ours.log 2>&1; echo "ours rc=$?"; tail -3 $OUT/ours.log
nvidia-smi $Q >> $OUT/gpu-state.txt
