#!/usr/bin/env bash
# Session 27, call 9 (issue 6): fashion's SSD in chunks of 32 with kernels compiled for (32, 32, 64), against the
# default chunks of 64 (call 7: the chunk kernel at 25 % theoretical occupancy from its 102 KB of shared memory; in
# chunks of 32 it takes 47 KB, four blocks an SM). Session 26's call 8 measured chunks of 32 slower with the generic
# kernels. The training package's tests, the fashion BF16 row at 60 steps alternating twice
# (-Dmdm.jcuda.scanBackward=chunked:32 against the default), and both per-kernel fashion profiles. Packed with
# tools/gpu/pack.sh --tests; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
training_tests
q32="-Dmdm.jcuda.scanBackward=chunked:32"
fashion60_opts() {
  MDM_JAVA_OPTS="${2:-}" timeout 200 bash $run $train --out "$out/$1.json" --only fashion:128:bf16 --repeats 60 2>&1 \
    | grep -E '^fashion|rror|xception' | sed "s/^/$1 /"
}
for i in 1 2; do
  fashion60_opts q32-$i "$q32"
  fashion60_opts q64-$i
done
gpu_state
fashion_profile profile-q32 "" "$q32"
fashion_profile profile-q64
pack_logs tests-training.log
