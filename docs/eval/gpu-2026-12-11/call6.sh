#!/usr/bin/env bash
# Rejected: measured in call 6 and kept as ffm-launch.patch (against f20f0a9), not on main.
# Session 27, call 6: kernels launched through the driver's cuLaunchKernel by java.lang.foreign, their arguments
# written into one native buffer of the context (KernelArgs as plain arrays), in place of JCuda's cuLaunchKernel.
# Every jcuda test; GemmHostProbe for this build and HEAD's jar (f20f0a9); the fashion BF16 row at 60 steps alternating
# three times and the paper row once each; a flight recording of 300 fashion steps of this build. Packed with
# tools/gpu/pack.sh --tests --baseline=HEAD, GemmHostProbe.class copied into .gpu/test-classes; run from the
# repository root with .gpu carried.
set -u
out=$OUT
. docs/eval/gpu-2026-12-11/lib.sh
module_tests
timeout 120 bash $run GemmHostProbe > $out/probe-new.txt 2>&1; echo "probe-new exit $?"; tail -3 $out/probe-new.txt
MDM_JCUDA_JAR=$base timeout 120 bash $run GemmHostProbe > $out/probe-base.txt 2>&1; echo "probe-base exit $?"
tail -3 $out/probe-base.txt
for i in 1 2 3; do
  fashion60 new-$i
  fashion60 base-$i $base
done
paper_pair_and_jfr
