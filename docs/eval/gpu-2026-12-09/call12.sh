#!/usr/bin/env bash
# Session 25, call 12 (issue 6): the session's zeroing leaves out the gradients the blocks write (every block's in_proj
# and out_proj weight gradients: 5.0 of the paper preset's 5.4 GB). Packed with tools/gpu/pack.sh --tests
# --baseline=HEAD (the build before the change); run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
module_and_alternate paper:8:bf16,fashion:128:bf16
