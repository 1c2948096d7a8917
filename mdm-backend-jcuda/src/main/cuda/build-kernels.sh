#!/usr/bin/env bash
# Compiles every kernel source to PTX (compute_90, JIT-compiled by any newer driver) and to sm_90 and sm_80 cubins,
# into the jar's resource folder. Called by Maven (profile cuda-kernels) with: NVCC SOURCE_DIR OUTPUT_DIR.
set -euo pipefail
nvcc=$1 src=$2 out=$3
mkdir -p "$out"
# nothing to do when every output is newer than every source
if [ -f "$out/nvcc-version.txt" ] && [ -z "$(find "$src" -newer "$out/nvcc-version.txt" -type f)" ]; then
  exit 0
fi
for cu in "$src"/*.cu; do
  name=$(basename "$cu" .cu)
  # the PTX and the sm_80 cubin side by side (CI has two cores), then the sm_90 cubin assembled from that PTX: the same
  # bytes as compiling the source for sm_90, without a second pass of the front end (45 s -> 26 s on two cores)
  "$nvcc" -ptx -arch=compute_90 -O3 -o "$out/$name.ptx" "$cu" & ptx=$!
  "$nvcc" -cubin -arch=sm_80 -O3 -o "$out/$name.sm_80.cubin" "$cu" & sm80=$!
  status=0
  wait $ptx || status=$?
  wait $sm80 || status=$?
  [ $status = 0 ] || exit $status
  "$nvcc" -cubin -arch=sm_90 -O3 -o "$out/$name.sm_90.cubin" "$out/$name.ptx"
done
"$nvcc" --version | tail -1 > "$out/nvcc-version.txt"
