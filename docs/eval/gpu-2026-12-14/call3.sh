#!/usr/bin/env bash
# Session 30, call 3: every jcuda test on 34fcb7c, then paper:8:bf16 alternating twice over four builds: the session's
# start (9bd4111, the pack's baseline jar), A (90a0f00: the optimizer four a thread and the norm pass by float4, with
# the benchmark's back-to-back loop), B (061016a: + a step not waiting for its update) and this build (34fcb7c: + the
# optimizer clearing the gradients in place of the memset); then fashion:128:bf16 at 60 steps for the start and this
# build. Packed with tools/gpu/pack.sh --tests --baseline=9bd4111, jars A and B built here with mvn -pl
# mdm-backend-jcuda -am package and copied to .gpu/jars/; run from the repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-14/lib.sh
gpu_state
tests tests-module --select-package dev.mdm.backend.jcuda
gpu_state
for i in 1 2; do
  train_bench start-$i paper:8:bf16 $base
  train_bench a-$i paper:8:bf16 .gpu/jars/A.jar
  train_bench b-$i paper:8:bf16 .gpu/jars/B.jar
  train_bench new-$i paper:8:bf16
done
gpu_state
fashion60 fashion-new
fashion60 fashion-start $base
gpu_state
pack_results
