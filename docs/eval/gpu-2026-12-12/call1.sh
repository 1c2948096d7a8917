#!/usr/bin/env bash
# Session 28, call 1: z's GEMM on a graph branch (issue 5, 324 x 1): every jcuda test with the branch joined before the
# walk (the default, up to 512 rows), the oracle and compatibility tests with the branch at every size joined at either
# place, then the step at 324 x 1 and 1 092 x 1 in the three forms, alternating three times. Packed with
# tools/gpu/pack.sh --tests; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-12/lib.sh
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
for join in walk output; do
  export MDM_JAVA_OPTS="-Dmdm.jcuda.zJoin=$join -Dmdm.jcuda.zBranchMaxRows=20000"
  tests tests-join-$join --select-class dev.mdm.backend.jcuda.JcudaBf16OracleAgreementTest --select-class dev.mdm.backend.jcuda.JcudaBackendCompatibilityTest
  unset MDM_JAVA_OPTS
done
gpu_state
z_branch_variants 324x1,1092x1 3
gpu_state
pack_results
