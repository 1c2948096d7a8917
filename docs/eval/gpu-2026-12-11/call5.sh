#!/usr/bin/env bash
# Session 27, call 5 (issue 6): GemmHostProbe (probe/GemmHostProbe.java, compiled against the packed jars and copied
# into .gpu/test-classes): the host's time per cublasGemmEx call at fashion's block shapes against a kernel launch.
# Packed with tools/gpu/pack.sh --tests at f20f0a9; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
gpu_state
timeout 120 bash $run GemmHostProbe > $out/gemm-host.txt 2>&1
echo "probe exit $?"; cat $out/gemm-host.txt
gpu_state
