#!/usr/bin/env bash
# Session 21, call 2 (after call 1 unpacked the data to /tmp/fashion-mnist): four fine-tunes of the shipped model,
# seeds 1-4, at once on the one H100 (under MPS where the machine has it), with run 15's recipe (augmented given
# images). Their EMA weights stay in /tmp/soup for call 3.  bash docs/eval/gpu-2026-12-05/call2.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
tar xJf .gpu/jre.txz -C /tmp   # once, before four run.sh start at the same moment
Q="--query-gpu=clocks.sm,clocks.mem,temperature.gpu,power.draw,utilization.gpu,memory.used --format=csv,noheader"
nvidia-smi $Q > "$out/gpu-state.txt"
M="bash .gpu/run.sh dev.mdm.examples.Main"
CK=mdm-examples/src/main/resources/dev/mdm/examples/model/fashion.safetensors
mps=0
if command -v nvidia-cuda-mps-control >/dev/null; then
  export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps-pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps-log
  mkdir -p $CUDA_MPS_PIPE_DIRECTORY $CUDA_MPS_LOG_DIRECTORY
  nvidia-cuda-mps-control -d && mps=1 && echo "MPS started" >> "$out/gpu-state.txt"
else
  echo "no nvidia-cuda-mps-control: plain time slicing" >> "$out/gpu-state.txt"
fi
F="--dataset fashion --fashion-dir /tmp/fashion-mnist --steps 100000 --batch 128 --ema-decay 0.999 --checkpoint-every 100000"
F="$F --task-mix caption=12,vqa=2 --given-image-augmentation mirror,shift=2 --lr 1e-4"
nvidia-smi dmon -s u -d 15 > "$out/dmon.txt" 2>&1 &
start() {
  for s in 1 2 3 4; do
    # a tmpdir each: JCuda extracts its native library to java.io.tmpdir, and four JVMs writing and mapping the same
    # file at once died of SIGBUS in ld.so (the first try of this call)
    mkdir -p /tmp/jtmp$s
    MDM_JAVA_OPTS=-Djava.io.tmpdir=/tmp/jtmp$s $M train --backend jcuda --preset fashion --checkpoint $CK $F --time-limit $1 \
        --seed $s --out /tmp/soup/s$s > "$out/train-s$s.log" 2>&1 &
    sleep 3
  done
}
start ${LIMIT:-8.2}
sleep 75
if [ $(jobs -rp | wc -l) -le 1 ] && [ $mps = 1 ]; then   # every run died: MPS is the suspect
  echo "every run failed under MPS; MPS stopped, runs restarted" >> "$out/gpu-state.txt"
  mkdir -p "$out/mps-failed"; cp "$out"/train-s1.log "$out/mps-failed/"
  echo quit | nvidia-cuda-mps-control; rm -rf /tmp/soup; start 6.6
fi
while [ $(jobs -rp | wc -l) -gt 1 ]; do sleep 5; done
nvidia-smi $Q >> "$out/gpu-state.txt"
ls -l /tmp/soup/s* >> "$out/gpu-state.txt"
