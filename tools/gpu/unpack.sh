#!/usr/bin/env bash
# Runs on the GPU machine: unpacks the Fashion-MNIST IDX files that tools/gpu/pack.sh --data put beside it to
# /tmp/fashion-mnist, where the next call (carrying .gpu) reads them with --fashion-dir /tmp/fashion-mnist.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p /tmp/fashion-mnist
for f in "$here"/*.xz; do
  xz -dc "$f" > "/tmp/fashion-mnist/$(basename "$f" .xz)"
done
ls -l /tmp/fashion-mnist
