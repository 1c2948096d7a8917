#!/usr/bin/env bash
# Session 27, call 3: call 2 again after its failure (every GEMM threw WrongMethodTypeException: a conditional
# argument to invokeExact is typed Object), on 67bde08 (the fix). Every jcuda test; the fashion BF16 row at 60 steps,
# three builds alternating three times: this tree (new), ed97afd's backend jar with this tree's mdm-api (api: the
# Tensor change alone) and ed97afd's backend and mdm-api jars (old: neither); the paper row for new and old's backend;
# a flight recording of 300 fashion steps of this build. Packed with tools/gpu/pack.sh --tests --baseline=ed97afd,
# then ed97afd's mdm-api jar copied to .gpu/baseline/mdm-api.jar; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
module_tests
for i in 1 2 3; do
  fashion60 new-$i
  fashion60 api-$i $base
  fashion60_jars old-$i $base .gpu/baseline/mdm-api.jar
done
paper_pair_and_jfr
