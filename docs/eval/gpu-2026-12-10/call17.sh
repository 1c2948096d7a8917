#!/usr/bin/env bash
# Session 26, call 17 (issue 6): a longer Java Flight Recording of the fashion BF16 row (300 timed steps, so that the
# steady state dominates the samples) at 934f161. Packed with tools/gpu/pack.sh; run from the repository root with
# .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
fashion_jfr 300
