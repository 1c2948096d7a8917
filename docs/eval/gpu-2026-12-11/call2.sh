#!/usr/bin/env bash
# Session 27, call 2: every jcuda test on 345ae5e (cuBLAS's GEMM by invokeExact; Tensor's checks and conversions
# without copies), the fashion BF16 row at 60 steps against ed97afd's jar alternating three times (the jar carries
# the Cublas change; mdm-api is this tree's in both), the paper row once each, and a flight recording of 300 fashion
# steps of this build. Packed with tools/gpu/pack.sh --tests --baseline=ed97afd; run from the repository root with
# .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
module_tests
for i in 1 2 3; do
  fashion60 new-$i
  fashion60 base-$i $base
done
paper_pair_and_jfr
