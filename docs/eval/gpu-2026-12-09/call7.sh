#!/usr/bin/env bash
# Session 25, call 7 (issues 5 and 6): every test of the jcuda module on the final build, TrainBenchmark's four rows for
# it and for 4ebfb77's jar, the peer at chunk lengths 128 and 64 (CUDA graph) and its kernel profile. Packed with
# tools/gpu/pack.sh --tests --baseline=4ebfb77; run from the repository root with .gpu and .peer carried. Everything
# comes back in one archive (the device tool returned at most 8 files in call 6).
set -u
out=$OUT
. docs/eval/gpu-2026-12-09/lib.sh
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
gpu_state
all=fashion:128,fashion:128:bf16,paper:8,paper:8:bf16
train_bench new-all $all
train_bench base-all $all $base
gpu_state
peer 4blocks --blocks 4 --profile $out/peer-profile-4blocks.txt
peer 49blocks-graph-c128 --graph --chunk 128
peer 49blocks-graph-c64 --graph --chunk 64
gpu_state
gzip -f $out/tests-module.log
tar czf /tmp/results.tgz -C $out . && rm -rf $out/* && mv /tmp/results.tgz $out/
