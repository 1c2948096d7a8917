"""Session 16, call 8: the paper-head mamba2 conformance input of tools/conformance/make_inputs.py with A's range
pinned, to see whether the jcuda FP32 mixer's larger error (call 7) follows the decay. Writes OUT_DIR/decay_weak and
decay_strong (A = −U(1, 2) and −U(8, 16)) and OUT_DIR/cases.txt.
  python3 docs/eval/gpu-2026-11-30/decay_inputs.py OUT_DIR
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'tools', 'conformance'))
import safetensors_np as st  # noqa: E402
from make_inputs import mamba2_inputs  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
meta = {'d_state': '128', 'd_conv': '4', 'expand': '2', 'headdim': '64', 'ngroups': '1', 'discretization': 'EULER',
        'case': 'mamba2'}
with open(os.path.join(out, 'cases.txt'), 'w') as cases:
    for name, lo, hi in (('decay_weak', 1, 2), ('decay_strong', 8, 16)):
        t = mamba2_inputs(rng, 2, 130, 128, 2, 64, 128, 4)
        t['A_log'] = np.log(rng.uniform(lo, hi, t['A_log'].shape))
        st.write(os.path.join(out, name + '.safetensors'), t, meta)
        cases.write(f'{name}.safetensors mamba2\n')
