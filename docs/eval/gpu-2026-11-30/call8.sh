# Session 16, call 8: the paper-head FP32 mixer at weak and strong decay through the conformance runner (jcuda), after
# python3 docs/eval/gpu-2026-11-30/decay_inputs.py .gpu/conformance-in2 (tools/gpu/pack.sh --tests first); compared
# here with tools/conformance/compare.py against the reference backend's outputs (bin/conformance) and with djl's.
bash tools/conformance/run_all.sh jcuda .gpu/conformance-in2 $OUT/c bash .gpu/run.sh dev.mdm.tck.Conformance
cat $OUT/c/status.txt
