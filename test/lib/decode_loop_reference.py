"""Inputs and reference of test/Integration/KV/decode-loop.mlir.

usage: python -m decode_loop_reference <dir>

A 6-token sequence decoded one token at a time must give exactly the causal
prefill attention of the whole sequence (GQA 4:2, head dim 8).
"""
import os
import sys

import numpy as np


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(11)
    q = rng.standard_normal((1, 4, 6, 8)).astype(np.float32)
    k = rng.standard_normal((1, 2, 6, 8)).astype(np.float32)
    v = rng.standard_normal((1, 2, 6, 8)).astype(np.float32)
    kk = np.repeat(k.astype(np.float64), 2, axis=1)
    vv = np.repeat(v.astype(np.float64), 2, axis=1)
    s = q.astype(np.float64) @ kk.transpose(0, 1, 3, 2) / np.sqrt(8)
    s = np.where(np.tril(np.ones((6, 6), bool)), s, -np.inf)
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    for name, a in [("q", q), ("k", k), ("v", v),
                    ("ref", (p @ vv).astype(np.float32)),
                    ("length", np.array([6], np.int64))]:
        np.save(os.path.join(out, name + ".npy"), a)


if __name__ == "__main__":
    main(sys.argv[1])
