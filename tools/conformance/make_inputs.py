"""Writes the inputs of every conformance case of SPEC §11 for one backend run (tools/conformance/README.md):
the outside ground-truth vectors of mdm-tck (copied, with their expected.* outputs) and inputs of our own for what
they leave out: ZOH, the paper's head sizes (P 64, N 128, three chunks), scan_orders, score_entropy and
safetensors_roundtrip. Writes OUT_DIR/*.safetensors and OUT_DIR/cases.txt ("file case" lines).
  python3 tools/conformance/make_inputs.py OUT_DIR
"""
import glob
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_np as st  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
VECTORS = os.path.join(ROOT, 'mdm-tck', 'src', 'test', 'resources', 'vectors')


def ssd_inputs(rng, b, l, h, p, g, n, raw_dt):
    t = {'x': rng.standard_normal((b, l, h, p)), 'A': -np.exp(rng.uniform(-1, 1, h)),
         'B': rng.standard_normal((b, l, g, n)), 'C': rng.standard_normal((b, l, g, n)),
         'D': rng.standard_normal(h), 'z': rng.standard_normal((b, l, h, p))}
    if raw_dt:
        t['dt_raw'] = rng.uniform(-5, 0, (b, l, h))
        t['dt_bias'] = rng.uniform(-1, 1, h)
    else:
        t['dt'] = rng.uniform(0.001, 0.1, (b, l, h))
    return t


def mamba2_inputs(rng, b, l, d, expand, headdim, d_state, d_conv):
    di = expand * d
    h = di // headdim
    conv = di + 2 * d_state
    return {'u': rng.standard_normal((b, l, d)),
            'in_proj.weight': rng.standard_normal((2 * di + 2 * d_state + h, d)) / np.sqrt(d),
            'conv1d.weight': rng.standard_normal((conv, 1, d_conv)) / np.sqrt(d_conv),
            'conv1d.bias': rng.standard_normal(conv) * 0.1,
            'dt_bias': np.log(np.expm1(rng.uniform(0.001, 0.1, h))),
            'A_log': np.log(rng.uniform(1, 16, h)), 'D': np.ones(h),
            'norm.weight': 1 + 0.1 * rng.standard_normal(di),
            'out_proj.weight': rng.standard_normal((d, di)) / np.sqrt(di)}


def main(out):
    os.makedirs(out, exist_ok=True)
    cases = []
    for f in sorted(glob.glob(os.path.join(VECTORS, '*.safetensors'))):
        _, meta = st.read(f)
        shutil.copy(f, out)
        cases.append((os.path.basename(f), meta['case']))
    rng = np.random.default_rng(2026)
    own = [
        ('own_ssd_zoh.safetensors', 'ssd', ssd_inputs(rng, 2, 70, 4, 16, 2, 32, False), {'discretization': 'ZOH'}),
        ('own_ssd_raw_dt_zoh.safetensors', 'ssd_raw_dt', ssd_inputs(rng, 2, 70, 4, 16, 1, 32, True),
         {'discretization': 'ZOH'}),
        ('own_ssd_paper_heads.safetensors', 'ssd', ssd_inputs(rng, 1, 150, 4, 64, 1, 128, False),
         {'discretization': 'EULER'}),
        ('own_mamba2_paper_heads.safetensors', 'mamba2', mamba2_inputs(rng, 2, 130, 128, 2, 64, 128, 4),
         {'d_state': '128', 'd_conv': '4', 'expand': '2', 'headdim': '64', 'ngroups': '1', 'discretization': 'EULER'}),
        ('own_mamba2_zoh.safetensors', 'mamba2', mamba2_inputs(rng, 1, 37, 32, 2, 16, 16, 4),
         {'d_state': '16', 'd_conv': '4', 'expand': '2', 'headdim': '16', 'ngroups': '1', 'discretization': 'ZOH'}),
        ('own_scan_orders.safetensors', 'scan_orders', {}, {'grid_h': '4', 'grid_w': '6', 'text_len': '5'}),
        ('own_score_entropy.safetensors', 'score_entropy',
         {'z_t': rng.standard_normal((6, 8)), 'zhat0': rng.standard_normal((6, 8)),
          'candidates': rng.standard_normal((6, 5, 8)), 'alpha_bar': rng.uniform(0.05, 0.95, 6)}, {}),
        ('own_safetensors_roundtrip.safetensors', 'safetensors_roundtrip',
         {'f64': rng.standard_normal((3, 2)), 'f32': rng.standard_normal(4).astype(np.float32),
          'ids': np.array([-1, 7, 2 ** 62], dtype=np.int64)}, {'note': 'kept'}),
    ]
    for name, case, tensors, meta in own:
        st.write(os.path.join(out, name), tensors, dict(meta, case=case))
        cases.append((name, case))
    with open(os.path.join(out, 'cases.txt'), 'w') as f:
        for name, case in cases:
            f.write(f'{name} {case}\n')
    print(f'{len(cases)} inputs in {out}')


if __name__ == '__main__':
    main(sys.argv[1])
