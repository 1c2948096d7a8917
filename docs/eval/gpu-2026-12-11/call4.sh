#!/usr/bin/env bash
# Rejected: measured in call 4 and kept as operands-rounded-once.patch (against 0ab0679), not on main.
# Session 27, call 4 (issue 6): the backward chunk kernel with every mma operand rounded once where it is stored:
# x and dy rounded in place by the warps that have summed their steps (dx's D·dy reads dy from global memory), B
# stored rounded (dB's epilogue and dC's scaling read B's fp32 values from global memory), and, where the sizes are
# constants, the entering state loaded into registers at the start so that ⟨G_c, S_{c−1}⟩ is summed as G_c is loaded
# and G_c is stored rounded too. The training package's tests, the two BF16 rows against HEAD's jar (0ab0679)
# alternating twice, both builds' per-kernel paper profiles and the new chunk kernel's SASS counters. Packed with
# tools/gpu/pack.sh --tests --baseline=HEAD; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
compare_and_profile
