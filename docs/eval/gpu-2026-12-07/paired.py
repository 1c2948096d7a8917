#!/usr/bin/env python3
"""Paired comparison of two `mdm eval` results on the same images (session 23, issue 7).

    python3 paired.py A.json B.json

Both files must come from `mdm eval` runs that read the same text examples (same split and --text count), which
record per image the captions and answers they got wrong (`captionMissIndices`, `vqaMissIndices`, split indices).
For each metric it prints how many images only A got right and how many only B got right, and the exact two-sided
McNemar p-value (a binomial test of the discordant pairs at 1/2). Standard library only.
"""
import json
import sys
from math import comb


def mcnemar_exact(only_a, only_b):
    n = only_a + only_b
    if n == 0:
        return 1.0
    tail = sum(comb(n, k) for k in range(min(only_a, only_b) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def text_part(path):
    with open(path) as f:
        text = json.load(f).get("text")
    if text is None or "notComputed" in text:
        sys.exit(f"paired.py: {path} has no text results ({text and text['notComputed']})")
    return text


def main(path_a, path_b):
    a, b = (text_part(p) for p in (path_a, path_b))
    for key in ("split", "examples"):
        if a[key] != b[key]:
            sys.exit(f"paired.py: {key} differs ({a[key]} against {b[key]}): not the same images")
    n = a["examples"]
    for metric in ("captionMissIndices", "vqaMissIndices"):
        if metric not in a or metric not in b:
            sys.exit(f"paired.py: {metric} missing: the eval ran on a build before session 23")
        miss_a, miss_b = set(a[metric]), set(b[metric])
        for name, part, misses in (("A", a, miss_a), ("B", b, miss_b)):
            accuracy = part["captionAccuracy" if metric.startswith("caption") else "vqaAccuracy"]
            if len(misses) != round((1 - accuracy) * n):
                sys.exit(f"paired.py: {name}'s {metric} ({len(misses)}) does not match its accuracy {accuracy}")
        only_a, only_b = len(miss_b - miss_a), len(miss_a - miss_b)  # right in one, wrong in the other
        print(f"{metric[:-len('MissIndices')]:8s} A {100 * (n - len(miss_a)) / n:6.2f} %  B {100 * (n - len(miss_b)) / n:6.2f} %"
              f"  only A right {only_a:5d}  only B right {only_b:5d}  both wrong {len(miss_a & miss_b):5d}"
              f"  McNemar exact p = {mcnemar_exact(only_a, only_b):.3g}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
