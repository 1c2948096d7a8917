#!/usr/bin/env bash
# Session 20, call 4 (after tools/gpu/pack.sh --examples, .gpu carried; pack.sh strips the shipped model from the jar,
# so --checkpoint names the tree's copy; call 2 unpacked the Fashion-MNIST files to /tmp/fashion-mnist; call 3 ran this
# without --checkpoint, on fresh weights): `mdm demo --backend jcuda` with 256 samples, the whole sampling loop as
# one CUDA graph (the default) against the host sampler with a graph per step (-Dmdm.jcuda.wholeLoop=false), twice each,
# alternating. Usage: bash docs/eval/gpu-2026-12-04/call4.sh $OUT
set -uo pipefail
out=$1; mkdir -p "$out"
nvidia-smi --query-gpu=name,temperature.gpu,clocks.sm --format=csv,noheader > "$out/gpu.txt"
demo="bash .gpu/run.sh dev.mdm.examples.Main demo --backend jcuda --fashion-dir /tmp/fashion-mnist --samples 256 --checkpoint mdm-examples/src/main/resources/dev/mdm/examples/model/fashion.safetensors"
for i in 1 2; do
  timeout 120 $demo --out "$out/whole-$i" > "$out/whole-$i.log" 2>&1; echo "whole loop $i rc=$?"
  MDM_JAVA_OPTS=-Dmdm.jcuda.wholeLoop=false timeout 120 $demo --out "$out/host-$i" > "$out/host-$i.log" 2>&1
  echo "host sampler $i rc=$?"
done
for d in whole-1 host-1 whole-2 host-2; do
  echo "== $d"; grep -E "captioned|done in" "$out/$d.log"
  grep -o '<td>[^<]*</td><td>[0-9.]* s</td>' "$out/$d/index.html" | sed 's/<[^>]*>/ /g'
  rm -f "$out/$d"/*.png
done
