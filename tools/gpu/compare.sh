#!/usr/bin/env bash
# Runs on the GPU machine, in one call: the jcuda module's tests, then StepBenchmark of the packed build and of the
# baseline (tools/gpu/pack.sh --tests --baseline=REV) one after the other on the same card, with the card's clocks,
# temperature and clock event reasons before and after each part. Everything goes to $OUT (or the folder given).
#   bash .gpu/compare.sh [--repeats N] [--only ROWS] [--probe8] [OUT_DIR]
# --probe8 also runs Probe8 (docs/eval/gpu-2026-11-24/Probe8.java, compiled into .gpu/test-classes after packing)
# with both builds: the bf16 denoiser's error against the float64 oracle.
# Exit status: that of the tests (the benchmarks still run when they fail, so that the call is not wasted).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repeats=20 only= probe8=0 out=${OUT:-}
while [ $# -gt 0 ]; do
  case $1 in
    --repeats) repeats=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --probe8) probe8=1; shift ;;
    -*) echo "compare: unknown option '$1' (expected --repeats N, --only ROWS, --probe8)" >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done
[ -n "$out" ] || { echo "compare: no output folder: give one or set OUT" >&2; exit 2; }
baseline=$here/baseline/mdm-backend-jcuda.jar
[ -f "$baseline" ] || { echo "compare: no baseline packed ($baseline): pack with --tests --baseline=REV" >&2; exit 2; }
[ -d "$here/test-classes/dev" ] || { echo "compare: no test classes packed: pack with --tests" >&2; exit 2; }
mkdir -p "$out"
state() {
  echo "$1: $(nvidia-smi --query-gpu=clocks.sm,clocks.mem,temperature.gpu,power.draw,clocks_throttle_reasons.active \
      --format=csv,noheader)" >> "$out/gpu-state.txt"
}
bench=(dev.mdm.backend.jcuda.bench.StepBenchmark --repeats "$repeats")
[ -z "$only" ] || bench+=(--only "$only")
rows() { grep -E '^ +[0-9]+ x|20-step' "$1"; }

state "before the tests"
bash "$here/run.sh" --tests --select-package dev.mdm.backend.jcuda > "$out/tests.log" 2>&1
tests=$?
grep -E 'tests (successful|failed|found)' "$out/tests.log"
state "after the tests"
bash "$here/run.sh" "${bench[@]}" --out "$out/step-new.json" > "$out/step-new.log" 2>&1
echo "== new"; rows "$out/step-new.log"
state "after the new build"
MDM_JCUDA_JAR=$baseline bash "$here/run.sh" "${bench[@]}" --out "$out/step-base.json" > "$out/step-base.log" 2>&1
echo "== baseline"; rows "$out/step-base.log"
state "after the baseline"
if [ $probe8 = 1 ]; then
  { echo "== new"; bash "$here/run.sh" Probe8; echo "== baseline"; MDM_JCUDA_JAR=$baseline bash "$here/run.sh" Probe8; } 2>&1 \
    | grep -E '^==|PROBE8' > "$out/probe8.txt"
  cat "$out/probe8.txt"
fi
cat "$out/gpu-state.txt"
exit $tests
