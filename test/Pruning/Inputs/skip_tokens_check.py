"""Execution check of loom-skip-tokens on the two-layer transformer of
skip_check.py (hidden 16, 8 tokens, one causal head).

    skip_tokens_check.py gen DIR        as skip_check.py gen, and
                                        DIR/posbias.mlir: the same with a
                                        non-splat [1,8,16] constant POS
                                        added to block 1's input before its
                                        attention norm (it carries the token
                                        axis, as Llama's rotary tables do)
    skip_tokens_check.py check DIR OUT [posbias]
                                        OUT: the IR loom-skip-tokens wrote
                                        (from posbias.mlir with `posbias`)
    skip_tokens_check.py bad DIR        DIR/escape.mlir: block 0's output
                                        also added to the final stream;
                                        DIR/allbias.mlir: block 0's attention
                                        residual (a value computed on all
                                        tokens) added to block 1's input
                                        before its attention norm

`check` reads the `loom.skip_tokens` attribute of OUT (per routed block:
router weights and bias, K, pinned tokens, R^2, kept fraction), refits each
router in NumPy (np.linalg.lstsq of ||block(x)_t - x_t|| on [x_t, 1] over
the calibration tokens of the unmodified model) and requires the pass's
predictions, R^2 and kept fraction to match (1e-4); then runs OUT with
loom-run on DIR/eval.npy against a NumPy mixture-of-depths model that uses
the pass's router weights and the same selection (pinned tokens, then the
highest scores, ties to the lowest index; kept tokens in order, causal
attention among them, the others unchanged): max abs error at most 1e-4 of
max |y|. A block with K = S must leave the model as it was.
"""
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import skip_check as sc  # noqa: E402


def rms(x, g):
    return x / np.sqrt(np.mean(x * x, -1, keepdims=True) + 1e-6) * g


POS = np.arange(sc.S * sc.H, dtype=np.float32).reshape(1, sc.S, sc.H) / 100


def block(w, l, x, idx, posbias):
    """Block l on the rows idx of the stream (x holds them; causal among
    them, in order); with posbias, POS[idx] feeds block 1's norm."""
    t = x.shape[0]
    n = rms(x + POS[0][idx] if posbias and l == 1 else x, w[f"g{l}a"])
    q, k, v = n @ w[f"wq{l}"], n @ w[f"wk{l}"], n @ w[f"wv{l}"]
    s = q @ k.T * 0.25 + np.triu(np.full((t, t), -np.inf), 1)
    p = np.exp(s - s.max(-1, keepdims=True))
    a = x + (p / p.sum(-1, keepdims=True)) @ v @ w[f"wo{l}"]
    return a + sc.mlp(w, l, a)


def select(scores, keep, pinned):
    kept = set(pinned)
    for i in sorted(range(len(scores)), key=lambda i: (-scores[i], i)):
        if len(kept) >= keep:
            break
        kept.add(i)
    return sorted(kept)


def forward(w, x, routers, posbias=False):
    x = x.astype(np.float64)
    for l in range(2):
        r = routers.get(l)
        if r is None or r["keep"] == len(x):
            x = block(w, l, x, list(range(len(x))), posbias)
            continue
        scores = (x.astype(np.float32) @ r["w"] + r["b"]).astype(np.float64)
        idx = select(scores, r["keep"], r["pinned"])
        y = x.copy()
        y[idx] = block(w, l, x[idx], idx, posbias)
        x = y
    return x @ w["head"]


def streams(w, x, posbias):
    """The input and output of each block of the full model."""
    x = x.astype(np.float64)
    out = []
    for l in range(2):
        y = block(w, l, x, list(range(len(x))), posbias)
        out.append((x, y))
        x = y
    return out


def parse(text):
    routers = {}
    attr = re.search(r"loom\.skip_tokens = \{blocks = \[(.*?)\], capacity", text)
    if not attr:
        sys.exit("FAIL: no loom.skip_tokens attribute")
    for rec in re.findall(r"\{(bias = .*?)\}", attr.group(1)):
        f = dict(re.findall(r"(\w+) = ([^,]+(?:array<[^>]*>)?)", rec))
        arr = lambda k: re.search(k + r" = array<\w+(?:: ([^>]*))?>", rec).group(1)
        routers[int(f["block"].split()[0])] = {
            "b": np.float32(float(f["bias"].split()[0])),
            "keep": int(f["keep"].split()[0]),
            "pinned": [int(v) for v in (arr("pinned") or "").split(",") if v.strip()],
            "w": np.array([float(v) for v in arr("weights").split(",")], np.float32),
            "r2": float(f["r2"].split()[0]),
            "kept_fraction": float(f["kept_fraction"].split()[0]),
        }
    return routers


def check(out, ir, posbias=False):
    w = sc.weights()
    with open(ir) as f:
        routers = parse(f.read())
    calib = np.load(os.path.join(out, "calibration", "x.npy"))
    for l, r in sorted(routers.items()):
        xs, norms = [], []
        for sample in calib:
            bx, by = streams(w, sample[0], posbias)[l]
            xs.append(bx)
            norms.append(np.linalg.norm(by - bx, axis=-1))
        x, t = np.concatenate(xs), np.concatenate(norms)
        a = np.hstack([x, np.ones((len(x), 1))])
        coef = np.linalg.lstsq(a, t, rcond=None)[0]
        pred_np = a @ coef
        pred = x @ r["w"].astype(np.float64) + float(r["b"])
        r2 = 1 - np.sum((t - pred_np) ** 2) / np.sum((t - t.mean()) ** 2)
        kept = total = 0.0
        for s in range(len(calib)):
            seg = slice(s * sc.S, (s + 1) * sc.S)
            idx = select(pred[seg], r["keep"], r["pinned"])
            kept += t[seg][idx].sum()
            total += t[seg].sum()
        diff = float(np.max(np.abs(pred - pred_np)) / np.max(np.abs(pred_np)))
        print(f"block {l}: K={r['keep']} pinned={r['pinned']}: R^2 pass "
              f"{r['r2']:.6f} NumPy {r2:.6f}; kept fraction pass "
              f"{r['kept_fraction']:.6f} NumPy {kept / total:.6f}; router "
              f"predictions differ by {diff:.2e} of max")
        if diff > 1e-4 or abs(r2 - r["r2"]) > 1e-4 or \
                abs(kept / total - r["kept_fraction"]) > 1e-4:
            sys.exit("FAIL: the router is not NumPy's least-squares fit")
    print("ok: routers match NumPy's least squares")
    x = np.load(os.path.join(out, "eval.npy"))
    ref = forward(w, x[0], routers, posbias)
    got_path = os.path.join(out, "loom-run-out")
    subprocess.run(["loom-run", ir, "--input", os.path.join(out, "eval.npy"),
                    "--output-dir", got_path], check=True, stdout=subprocess.DEVNULL)
    got = np.load(os.path.join(got_path, "result0.npy"))
    err = float(np.max(np.abs(got - ref)) / np.max(np.abs(ref)))
    full = forward(w, x[0], {}, posbias)
    change = float(np.max(np.abs(full - ref)) / np.max(np.abs(full)))
    print(f"max abs error / max |y| against the NumPy mixture-of-depths model: "
          f"{err:.2e}; change from the full model: {change:.2e}")
    if err > 1e-4:
        sys.exit("FAIL: the rewritten model does not compute the NumPy model")
    print("ok: matches the NumPy model")


def with_bias(text, name, bias):
    """text with `bias` added to block 1's input before its attention norm."""
    shape = sc.SHAPE
    return text.replace(
        f"    %n1a = loom.rms_norm %r0m,",
        f"    %pb_init = tensor.empty() : {shape}\n"
        f"    %pb = linalg.add ins(%r0m, %{bias} : {shape}, {shape}) outs(%pb_init : {shape}) -> {shape} loc(\"{name}\")\n"
        f"    %n1a = loom.rms_norm %pb,")


def gen(out):
    sc.gen(out)
    with open(os.path.join(out, "model.mlir")) as f:
        text = f.read()
    text = text.replace("    %zero = arith.constant 0.000000e+00 : f32\n",
                        "    %zero = arith.constant 0.000000e+00 : f32\n" +
                        sc.const("pos", POS), 1)
    with open(os.path.join(out, "posbias.mlir"), "w") as f:
        f.write(with_bias(text, "posbias", "pos"))


def bad(out):
    sc.gen(out)
    with open(os.path.join(out, "model.mlir")) as f:
        text = f.read()
    shape = sc.SHAPE
    esc = text.replace(
        f"    %fin = tensor.collapse_shape %r1m ",
        f"    %esc_init = tensor.empty() : {shape}\n"
        f"    %esc = linalg.add ins(%r1m, %r0m : {shape}, {shape}) outs(%esc_init : {shape}) -> {shape} loc(\"escape\")\n"
        f"    %fin = tensor.collapse_shape %esc ")
    with open(os.path.join(out, "escape.mlir"), "w") as f:
        f.write(esc)
    with open(os.path.join(out, "allbias.mlir"), "w") as f:
        f.write(with_bias(text, "allbias", "r0a"))


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
    elif sys.argv[1] == "bad":
        bad(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3], sys.argv[4:] == ["posbias"])
