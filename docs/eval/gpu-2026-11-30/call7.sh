# Session 16, call 7 (issue 5's first criterion): every conformance case of SPEC §11 on the jcuda backend, through the
# runner the README names (dev.mdm.tck.Conformance, as bin/conformance runs it; the GPU machine has no Maven to build
# bin/conformance's class path, so .gpu/run.sh gives it the packed one). Inputs: python3 tools/conformance/make_inputs.py
# .gpu/conformance-in after tools/gpu/pack.sh --tests; checked here afterwards with tools/conformance/compare.py.
keep=$1
out=/tmp/call7
nvidia-smi --query-gpu=clocks.sm,temperature.gpu --format=csv,noheader
time bash tools/conformance/run_all.sh jcuda .gpu/conformance-in "$out/conformance-jcuda" bash .gpu/run.sh dev.mdm.tck.Conformance
echo "run_all exit $?"
awk '{print $3}' "$out/conformance-jcuda/status.txt" | sort | uniq -c
grep -v " 0 *$" "$out/conformance-jcuda/status.txt" | head
mkdir -p "$keep" && tar czf "$keep/conformance-jcuda.tgz" -C "$out" conformance-jcuda  # 63 files: one comes back
