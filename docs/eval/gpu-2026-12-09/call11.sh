#!/usr/bin/env bash
# Session 25, call 11 (issue 6): the column sums (tr_colsum_partial), the heads' ∂B/∂C sum (tb_group_sum) and the
# gradient norm's first pass (tm_sumsq_partial) issue their loads in batches, the same sums in the same order. Packed
# with tools/gpu/pack.sh --tests --baseline=d7f4730; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
training_compare profile-new11
tests tests-module --select-package dev.mdm.backend.jcuda
gzip -f $out/tests-module.log $out/tests-training.log
