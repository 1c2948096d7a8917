#!/usr/bin/env bash
# Session 27, call 13 (issue 6): fashion's FP32 runtime (fp32 chunk products, the kernels compiled for both lengths) in
# chunks of 32 (-Dmdm.jcuda.scanBackward=chunked:32) against its default of 64, at 60 steps alternating twice, and
# both per-kernel profiles of one step. Packed with tools/gpu/pack.sh at 4a08ce0; run from the repository root with
# .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
q32="-Dmdm.jcuda.scanBackward=chunked:32"
fp32_60() {
  MDM_JAVA_OPTS="${2:-}" timeout 200 bash $run $train --out "$out/$1.json" --only fashion:128 --repeats 60 2>&1 \
    | grep -E '^fashion|rror|xception' | sed "s/^/$1 /"
}
fp32_profile() {
  MDM_JAVA_OPTS="${2:-}" timeout 240 $ncu --target-processes all --clock-control none --cache-control none \
    --metrics gpu__time_duration.sum --print-summary per-kernel --csv bash $run $train --out /tmp/profile.json \
    --only fashion:128 --warmup 1 --repeats 1 > $out/$1.csv 2>&1
  echo "$1 exit $?"
  gzip -f $out/$1.csv
}
gpu_state
for i in 1 2; do
  fp32_60 q32-$i "$q32"
  fp32_60 q64-$i
done
gpu_state
fp32_profile profile-q32 "$q32"
fp32_profile profile-q64
