#!/usr/bin/env bash
# Session 26, call 15: every jcuda test (inference and training) on the session's final code (df07e3e). Packed with
# tools/gpu/pack.sh --tests --baseline=6a849c3; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-10/lib.sh
module_tests
