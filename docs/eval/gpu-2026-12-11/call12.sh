#!/usr/bin/env bash
# Session 27, call 12 (issue 6): fashion's tensor-core chunk kernel (chunks of 32) bounded to 64 registers
# (__launch_bounds__(256, 4)), four blocks an SM as its shared memory allows, where 72 registers held it at three. The
# training package's tests; the fashion BF16 row at 60 steps against HEAD's jar alternating twice; both builds'
# per-kernel fashion profiles. Packed with tools/gpu/pack.sh --tests --baseline=HEAD; run from the repository root
# with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
training_tests
fashion60_alternate 2
gpu_state
fashion_profile profile-new
fashion_profile profile-base $base
pack_logs tests-training.log
(cd $out && tar czf results.tgz *.json && rm *.json)
