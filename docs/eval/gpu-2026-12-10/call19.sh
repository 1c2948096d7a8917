#!/usr/bin/env bash
# Session 26, call 19: the review's mends (the gated norm's kernel chosen once, the score entropy's rows built at their
# exact sizes): every jcuda test. Packed with tools/gpu/pack.sh --tests; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
module_tests
