#!/usr/bin/env bash
# Session 33, call 6 (review): the row-range norm kernels load and store their four-column slices through
# tb_ld_slices / tb_st_slices (the same loads and stores; nvcc's cubin changed by 256 bytes, so the tests check it).
# Packed with tools/gpu/pack.sh --tests; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-17/lib.sh
tests_and_paper end
