#!/usr/bin/env python3
"""How legible a caption's class word is in its own noise, per diffusion step (numpy, CPU).

For each of the ten class words' distinctive token (the last piece of "a t-shirt", "a pair of trousers", ...; ids
from spm_encode with the tokenizer in mdm-examples), z_t = sqrt(abar_t) mu + sqrt(1 - abar_t) eps with mu the text
encoder's mean of that token (SPEC §3), and the word counts as legible when the nearest sqrt(abar_t) mu_c over the
ten class words is its own. Linear betas 1e-4..0.02 over T = 1000 (SPEC §1, §4). 20 000 draws per step, seed 0.
  python3 docs/eval/gpu-2026-12-06/legibility.py WEIGHTS.safetensors [...]
"""
import json
import struct
import sys

import numpy as np

CLASS_TOKENS = [40, 44, 36, 35, 32, 38, 42, 39, 34, 33]  # t-shirt, trousers, ..., ankle boot
STEPS = [300, 500, 600, 650, 700, 750, 800, 850, 900, 950, 1000]


def tensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()

    def get(name):
        v = header[name]
        a, b = v['data_offsets']
        return np.frombuffer(data[a:b], dtype=np.float32).reshape(v['shape']).astype(np.float64)
    return get


def class_word_means(path):
    t = tensors(path)
    silu = lambda v: v / (1 + np.exp(-v))
    e = t('vae.text_embed')[CLASS_TOKENS]
    h = silu(e @ t('vae.txt_enc1.weight').T + t('vae.txt_enc1.bias'))
    out = h @ t('vae.txt_enc2.weight').T + t('vae.txt_enc2.bias')
    return out[:, :out.shape[1] // 2]


def main():
    abar = np.cumprod(1 - np.linspace(1e-4, 0.02, 1000))
    for path in sys.argv[1:]:
        mu = class_word_means(path)
        dist = np.linalg.norm(mu[:, None] - mu[None], axis=-1)[np.triu_indices(10, 1)]
        rng = np.random.default_rng(0)
        cells = []
        for step in STEPS:
            a = abar[step - 1]
            idx = rng.integers(0, 10, 20000)
            z = np.sqrt(a) * mu[idx] + np.sqrt(1 - a) * rng.standard_normal((20000, mu.shape[1]))
            d = ((z[:, None, :] - np.sqrt(a) * mu[None]) ** 2).sum(-1)
            cells.append(f"{step}: {100 * (d.argmin(1) == idx).mean():.1f} %")
        print(f"{path}\n  closest pair of class-word means {dist.min():.1f}, median {np.median(dist):.1f}")
        print("  legible at t = " + ", ".join(cells))


if __name__ == '__main__':
    main()
