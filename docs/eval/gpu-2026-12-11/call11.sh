#!/usr/bin/env bash
# Rejected: measured here, not on main (tr_colsum_final 1422.9 against 1388.1 us for a profile of two fashion steps, call 9).
# Session 27, call 11 (issue 6): tr_colsum_final loads its partials 16 at a time (the same sum in the same order), as
# tr_colsum_partial loads its rows. The training package's tests; the fashion BF16 row at 60 steps and the paper row
# against HEAD's jar (ec2bdd2) alternating twice; this build's per-kernel fashion profile. Packed with
# tools/gpu/pack.sh --tests --baseline=HEAD; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
training_tests
fashion60_alternate 2
alternate paper:8:bf16
gpu_state
fashion_profile profile-fashion
pack_logs tests-training.log
(cd $out && tar czf results.tgz *.json && rm *.json)
