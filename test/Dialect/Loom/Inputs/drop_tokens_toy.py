"""NumPy reference of the two-block toy model of loom-drop-tokens.mlir, with
token pruning, compared with loom-run's results of the pass output.

    drop_tokens_toy.py X.npy RESULT_DIR LAYER:KEEP[,LAYER:KEEP] SCORE

Each block: q = k = v = x split into 2 heads of 8, softmax attention
(scale 1/sqrt(8)), h = x + attn, pruned (keep ceil(r*S), token 0 pinned,
best scores, ties to the lowest index, original order), y = h + tanh(h).
Outputs: the last y restored to 8 rows (zeros where dropped) and its row 0.
Prints the max abs errors; exits 1 above 1e-5.
"""
import math
import sys

import numpy as np

x = np.load(sys.argv[1]).astype(np.float64)
schedule = dict((int(a), float(b)) for a, b in
                (e.split(":") for e in sys.argv[3].split(",")))
score = sys.argv[4]
rows = np.arange(x.shape[1])  # original position of every current row
for layer in range(2):
    s = x.shape[1]
    q = x.reshape(1, s, 2, 8).transpose(0, 2, 1, 3)
    logits = q @ q.transpose(0, 1, 3, 2) / math.sqrt(8)
    p = np.exp(logits - logits.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    h = x + (p @ q).transpose(0, 2, 1, 3).reshape(1, s, 16)
    if layer in schedule:
        if score == "cls-attention":
            sc = p[0, :, 0, :].mean(0)
        elif score == "attention-received":
            sc = p[0].sum(1).mean(0)
        else:
            sc = np.linalg.norm(h[0], axis=-1)
        keep = math.ceil(np.float32(schedule[layer]) * s - 1e-3)
        order = sorted(range(1, s), key=lambda j: (-sc[j], j))
        idx = sorted([0] + order[:keep - 1])
        h, rows = h[:, idx], rows[idx]
    x = h + np.tanh(h)
full = np.zeros((1, 8, 16))
full[0, rows] = x[0]
got = [np.load(f"{sys.argv[2]}/result{i}.npy") for i in range(2)]
errs = [float(np.abs(got[0] - full).max()), float(np.abs(got[1] - x[:, 0]).max())]
print(f"kept {x.shape[1]} rows {rows.tolist()}; max abs err {errs[0]:.2e} {errs[1]:.2e}")
sys.exit(0 if max(errs) <= 1e-5 else 1)
