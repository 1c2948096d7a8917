"""Checks one backend's conformance outputs (tools/conformance/run_all.sh) against the outside ground truth of each
input (its expected.* tensors, where it has them) and against the float64 reference backend's outputs, by SPEC §10's
rule for the backend's precision: every element within atol + rtol·|expected|, and the relative L2 error within its
bound. The DPM-Solver files of the official code's float32 schedule (dpm_*, not dpm64_*) are held to the kit's
bound for them instead (ConformanceTest: rtol 1e-4, atol 1e-6, relative L2 3e-5). Prints a line per input and
output; exits 1 if any fails.
  python3 tools/conformance/compare.py IN_DIR OUT_DIR REFERENCE_OUT_DIR [fp32|bf16]
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_np as st  # noqa: E402

RULES = {'fp32': (1e-4, 1e-5, 1e-5), 'bf16': (2e-2, 5e-3, 1e-2)}  # rtol, atol, relative L2 (mdm-tck Tolerance)
FLOAT32_SCHEDULE = (1e-4, 1e-6, 3e-5)


def check(got, want, rule):
    rtol, atol, rel_l2 = rule
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return False, f'shape {list(got.shape)} against {list(want.shape)}'
    diff = np.abs(got - want)
    worst = float(np.max(diff / (atol + rtol * np.abs(want)))) if diff.size else 0.0
    norm = float(np.linalg.norm(want))
    rel = float(np.linalg.norm(got - want) / norm) if norm > 0 else float(np.linalg.norm(got - want))
    ok = worst <= 1 and rel <= rel_l2
    return ok, f'worst element {worst:.3g}× its bound, relative L2 {rel:.3g} (bound {rel_l2:g})'


def main(inputs, outputs, reference, precision='fp32'):
    rule = RULES[precision]
    failed = 0
    statuses = {}
    for line in open(os.path.join(outputs, 'status.txt')):
        parts = line.split(' ', 3)
        statuses[parts[0]] = (int(parts[2]), parts[3].strip() if len(parts) > 3 else '')
    for line in open(os.path.join(inputs, 'cases.txt')):
        name, case = line.split()
        status, diagnosis = statuses.get(name, (None, 'not run'))
        if status != 0:
            print(f'FAIL {name} ({case}): exit {status} {diagnosis}')
            failed += 1
            continue
        got, got_meta = st.read(os.path.join(outputs, name))
        given, given_meta = st.read(os.path.join(inputs, name))
        ref, _ = st.read(os.path.join(reference, name))
        checks = []
        if case == 'safetensors_roundtrip':
            same = got.keys() == given.keys() and all(np.array_equal(got[k], given[k]) for k in given) \
                and all(got_meta.get(k) == v for k, v in given_meta.items())
            checks.append(('roundtrip', same, 'every tensor and metadata entry kept' if same else 'changed'))
        elif case == 'scan_orders':
            same = got.keys() == ref.keys() and all(np.array_equal(got[k], ref[k]) for k in ref)
            checks.append(('orders', same, 'equal to the reference' if same else 'differ from the reference'))
        else:
            for out in sorted(ref):
                answer = got.get(out, np.array([]))  # a missing output fails on its shape
                ok, text = check(answer, ref[out], rule)
                checks.append((f'{out} vs reference', ok, text))
                if 'expected.' + out in given:
                    official = FLOAT32_SCHEDULE if case == 'dpm_solver' and given_meta.get('schedule_dtype') != 'f64' \
                        else rule
                    ok, text = check(answer, given['expected.' + out], official)
                    checks.append((f'{out} vs {given_meta.get("source", "official code")}', ok, text))
        for what, ok, text in checks:
            print(f'{"ok  " if ok else "FAIL"} {name} ({case}) {what}: {text}')
            failed += 0 if ok else 1
    print(f'{failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
