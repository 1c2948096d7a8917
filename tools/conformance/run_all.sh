#!/usr/bin/env bash
# Runs every case of an input folder (tools/conformance/make_inputs.py) through the conformance runner of SPEC §11:
#   tools/conformance/run_all.sh BACKEND IN_DIR OUT_DIR RUNNER...
# RUNNER is the command that takes the runner's arguments: `bin/conformance` here, `bash .gpu/run.sh
# dev.mdm.tck.Conformance` on the GPU machine (tools/gpu/pack.sh --tests packs the kit). Writes OUT_DIR/NAME (the
# outputs) and OUT_DIR/status.txt ("NAME CASE EXIT one-line-diagnosis" per input); exits 1 if any case failed.
set -uo pipefail
backend=$1 in=$2 out=$3
shift 3
mkdir -p "$out"
: > "$out/status.txt"
failed=0
while read -r name case; do
  # the runner must not read the case list: stdin is the loop's
  diagnosis=$("$@" --backend "$backend" --case "$case" --in "$in/$name" --out "$out/$name" 2>&1 >/dev/null </dev/null | tail -1)
  status=$?
  echo "$name $case $status $diagnosis" >> "$out/status.txt"
  [ $status = 0 ] || failed=1
done < "$in/cases.txt"
exit $failed
