"""NumPy ToMe reference for test/Integration/Token/merge-tokens-encoder.mlir.

The hand-written 2-block encoder of that test (no norms: q/k/v projections,
2-head attention, output projection, residual, ReLU MLP, residual), with the
semantics loom-merge-tokens gives it: after each chosen block's attention
residual add, loom.token.merge (token_reference.merge) of r tokens keyed by the
head-averaged keys, sizes carried; later attention adds log(size) of the keys
(proportional); the full output restored through every merge, and row 0 (the
class token, never merged) sliced.

usage: tome_encoder.py OUT_DIR R PROPORTIONAL(0|1)
Writes OUT_DIR/in_{0..6}.npy (x and the weights) and ref_{0,1}.npy (the restored
output [1,9,8] and row 0 [1,1,8]). The seed is the first from 0 whose merges are
decided by a margin > 1e-4 (token_reference.merge asserts it), so an f32
execution makes the same choices as this f64 reference.
"""
import os
import sys

import numpy as np

import token_reference as tr

S, D, H, DH, F = 9, 8, 2, 4, 16


def heads(t):
    return t.reshape(t.shape[0], t.shape[1], H, DH).transpose(0, 2, 1, 3)


def encoder(x, wq, wk, wv, wo, w1, w2, r, proportional):
    sizes = None
    sources = []
    for _ in range(2):
        b, n, _ = x.shape
        q, k, v = heads(x @ wq), heads(x @ wk), heads(x @ wv)
        logits = q @ k.transpose(0, 1, 3, 2) / np.sqrt(DH)
        if sizes is not None and proportional:
            logits = logits + np.log(sizes)[:, None, None, :]
        p = np.exp(logits - logits.max(-1, keepdims=True))
        p /= p.sum(-1, keepdims=True)
        o = (p @ v).transpose(0, 2, 1, 3).reshape(b, n, D)
        h = x + o @ wo
        h, sizes, src = tr.merge(h, r, keys=k.mean(1), sizes=sizes,
                                 protect_first=True)
        sizes = sizes.astype(np.float64)
        sources.append(src)
        x = h + np.maximum(h @ w1, 0.0) @ w2
    full = x
    for src in reversed(sources):
        full = tr.restore_source(full, src)
    return full, x[:, :1]


def main(out, r, proportional):
    for seed in range(100):
        rng = np.random.default_rng(seed)
        inputs = [rng.standard_normal((1, S, D))]
        for shape in [(D, D)] * 4 + [(D, F), (F, D)]:
            inputs.append(rng.standard_normal(shape) / np.sqrt(shape[0]))
        inputs = [a.astype(np.float32) for a in inputs]
        try:
            refs = encoder(*[a.astype(np.float64) for a in inputs], r,
                           proportional)
            break
        except AssertionError:
            continue
    else:
        raise SystemExit("no seed with decisive merges")
    os.makedirs(out, exist_ok=True)
    for i, a in enumerate(inputs):
        np.save(os.path.join(out, f"in_{i}.npy"), a)
    for i, a in enumerate(refs):
        np.save(os.path.join(out, f"ref_{i}.npy"), a.astype(np.float32))
    print(f"seed {seed}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1")
