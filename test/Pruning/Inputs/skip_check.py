"""A two-layer pre-norm transformer (hidden 16, 8 tokens, one causal head,
ReLU MLP) for the loom-skip-layers tests, and its NumPy model.

    skip_check.py gen DIR        DIR/model.mlir, DIR/calibration/x.npy
                                 (4 samples), DIR/eval.npy
    skip_check.py check DIR OUT  OUT: the IR loom-skip-layers wrote
    skip_check.py calib DIR AxB  DIR/x.npy: 4 random f32 samples of [A,B]

`check` recomputes every candidate's cosine (per token, averaged over the
calibration tokens) in NumPy and compares it with the pass's
`loom.skip_layers` attribute (1e-5), checks that the removed sublayers are
the highest-scoring ones the options ask for, and runs OUT with loom-run on
DIR/eval.npy against the NumPy model without those sublayers (max abs error
at most 1e-4 of max |y|). Attention 1's output projection is scaled by 0.02
and MLP 0's down projection by 0.05, so those two change the stream least.
The MLP's activation is relu(h) + 0.5 relu(h)^2: an add of a value and a
function of it, with no matmul in between, which is not a sublayer.
"""
import os
import re
import subprocess
import sys

import numpy as np

S, H, F = 8, 16, 32
SHAPE = "tensor<1x8x16xf32>"


def weights():
    rng = np.random.default_rng(7)
    w = {}
    for l in range(2):
        for name, shape in (("wq", (H, H)), ("wk", (H, H)), ("wv", (H, H)),
                            ("wo", (H, H)), ("up", (H, F)), ("down", (F, H))):
            w[f"{name}{l}"] = (rng.standard_normal(shape) / np.sqrt(shape[0])).astype(np.float32)
        w[f"g{l}a"] = (1 + 0.1 * rng.standard_normal(H)).astype(np.float32)
        w[f"g{l}m"] = (1 + 0.1 * rng.standard_normal(H)).astype(np.float32)
    w["wo1"] *= np.float32(0.02)
    w["down0"] *= np.float32(0.05)
    w["head"] = (rng.standard_normal((H, H)) / 4).astype(np.float32)
    return w


# --- NumPy model -------------------------------------------------------------

def rms(x, g):
    return x / np.sqrt(np.mean(x * x, -1, keepdims=True) + 1e-6) * g


def attention(w, l, x):
    n = rms(x, w[f"g{l}a"])
    q, k, v = n @ w[f"wq{l}"], n @ w[f"wk{l}"], n @ w[f"wv{l}"]
    s = q @ k.T * 0.25 + np.triu(np.full((S, S), -np.inf), 1)
    p = np.exp(s - s.max(-1, keepdims=True))
    return (p / p.sum(-1, keepdims=True)) @ v @ w[f"wo{l}"]


def mlp(w, l, x):
    h = np.maximum(rms(x, w[f"g{l}m"]) @ w[f"up{l}"], 0)
    return (h + 0.5 * h * h) @ w[f"down{l}"]


def forward(w, x, removed=(), granularity="attention"):
    """x [S,H]; removed: sublayer indices of `granularity`. Also returns the
    streams (before, after) of every candidate."""
    x = x.astype(np.float64)
    streams = {"attention": [], "mlp": [], "block": []}
    for l in range(2):
        block_in = x
        skip_a = granularity in ("attention", "block") and l in removed
        skip_m = granularity in ("mlp", "block") and l in removed
        a = x + attention(w, l, x)
        streams["attention"].append((x, a))
        x = x if skip_a else a
        m = x + mlp(w, l, x)
        streams["mlp"].append((x, m))
        x = x if skip_m else m
        streams["block"].append((block_in, x))
    return x @ w["head"], streams


def cosine(pairs):
    scores = []
    for x, y in pairs:
        c = np.sum(x * y, -1) / np.sqrt(np.sum(x * x, -1) * np.sum(y * y, -1))
        scores.append(c)
    return float(np.mean(np.concatenate(scores)))


# --- IR ----------------------------------------------------------------------

def const(name, a):
    dims = "x".join(map(str, a.shape))
    text = np.array2string(a, separator=", ", threshold=1 << 20,
                           floatmode="unique", max_line_width=1 << 20)
    return f"    %{name} = arith.constant dense<{text}> : tensor<{dims}xf32>\n"


def mm(out, x, k, w, n):
    return (f"    %{out}_init = tensor.empty() : tensor<8x{n}xf32>\n"
            f"    %{out}_zero = linalg.fill ins(%zero : f32) outs(%{out}_init : tensor<8x{n}xf32>) -> tensor<8x{n}xf32>\n"
            f"    %{out} = linalg.matmul ins(%{x}, %{w} : tensor<8x{k}xf32>, tensor<{k}x{n}xf32>) outs(%{out}_zero : tensor<8x{n}xf32>) -> tensor<8x{n}xf32>\n")


def layer(l, x):
    t = [f"    // layer {l}: attention\n",
         f"    %n{l}a = loom.rms_norm %{x}, %g{l}a {{epsilon = 9.99999997E-7 : f32}} : ({SHAPE}, tensor<16xf32>) -> {SHAPE}\n",
         f"    %n{l}a2 = tensor.collapse_shape %n{l}a [[0, 1], [2]] : {SHAPE} into tensor<8x16xf32>\n"]
    for p in "qkv":
        t.append(mm(f"{p}{l}", f"n{l}a2", H, f"w{p}{l}", H))
        t.append(f"    %{p}{l}4 = tensor.expand_shape %{p}{l} [[0, 1, 2], [3]] output_shape [1, 1, 8, 16] : tensor<8x16xf32> into tensor<1x1x8x16xf32>\n")
    t.append(f"    %att{l} = loom.attention %q{l}4, %k{l}4, %v{l}4 {{causal, scale = 2.500000e-01 : f32}} : (tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>) -> tensor<1x1x8x16xf32>\n")
    t.append(f"    %att{l}2 = tensor.collapse_shape %att{l} [[0, 1, 2], [3]] : tensor<1x1x8x16xf32> into tensor<8x16xf32>\n")
    t.append(mm(f"o{l}", f"att{l}2", H, f"wo{l}", H))
    t.append(f"    %o{l}3 = tensor.expand_shape %o{l} [[0, 1], [2]] output_shape [1, 8, 16] : tensor<8x16xf32> into {SHAPE}\n")
    t.append(f"    %r{l}a_init = tensor.empty() : {SHAPE}\n")
    if l == 0:
        t.append(f"    %r{l}a = linalg.add ins(%{x}, %o{l}3 : {SHAPE}, {SHAPE}) outs(%r{l}a_init : {SHAPE}) -> {SHAPE} loc(\"attn{l}_residual\")\n")
    else:  # the importer's form, addends swapped
        t.append(f"    %r{l}a = linalg.generic {{indexing_maps = [#id, #id, #id], iterator_types = [\"parallel\", \"parallel\", \"parallel\"]}} ins(%o{l}3, %{x} : {SHAPE}, {SHAPE}) outs(%r{l}a_init : {SHAPE}) {{\n"
                 f"    ^bb0(%a: f32, %b: f32, %c: f32):\n      %s = arith.addf %a, %b : f32\n      linalg.yield %s : f32\n    }} -> {SHAPE} loc(\"attn{l}_residual\")\n")
    t += [f"    // layer {l}: MLP\n",
          f"    %n{l}m = loom.rms_norm %r{l}a, %g{l}m {{epsilon = 9.99999997E-7 : f32}} : ({SHAPE}, tensor<16xf32>) -> {SHAPE}\n",
          f"    %n{l}m2 = tensor.collapse_shape %n{l}m [[0, 1], [2]] : {SHAPE} into tensor<8x16xf32>\n",
          mm(f"u{l}", f"n{l}m2", H, f"up{l}", F),
          f"    %h{l}_init = tensor.empty() : tensor<8x32xf32>\n",
          f"    %h{l} = linalg.generic {{indexing_maps = [#id2, #id2], iterator_types = [\"parallel\", \"parallel\"]}} ins(%u{l} : tensor<8x32xf32>) outs(%h{l}_init : tensor<8x32xf32>) {{\n"
          f"    ^bb0(%a: f32, %c: f32):\n      %m = arith.maximumf %a, %zero : f32\n      linalg.yield %m : f32\n    }} -> tensor<8x32xf32>\n",
          f"    %sq{l} = linalg.generic {{indexing_maps = [#id2, #id2], iterator_types = [\"parallel\", \"parallel\"]}} ins(%h{l} : tensor<8x32xf32>) outs(%h{l}_init : tensor<8x32xf32>) {{\n"
          f"    ^bb0(%a: f32, %c: f32):\n      %m = arith.mulf %a, %a : f32\n      %k = arith.mulf %m, %half : f32\n      linalg.yield %k : f32\n    }} -> tensor<8x32xf32>\n",
          f"    %act{l} = linalg.add ins(%h{l}, %sq{l} : tensor<8x32xf32>, tensor<8x32xf32>) outs(%h{l}_init : tensor<8x32xf32>) -> tensor<8x32xf32>\n",
          mm(f"d{l}", f"act{l}", F, f"down{l}", H),
          f"    %d{l}3 = tensor.expand_shape %d{l} [[0, 1], [2]] output_shape [1, 8, 16] : tensor<8x16xf32> into {SHAPE}\n",
          f"    %r{l}m_init = tensor.empty() : {SHAPE}\n",
          f"    %r{l}m = linalg.add ins(%r{l}a, %d{l}3 : {SHAPE}, {SHAPE}) outs(%r{l}m_init : {SHAPE}) -> {SHAPE} loc(\"mlp{l}_residual\")\n"]
    return "".join(t), f"r{l}m"


def gen(out):
    w = weights()
    os.makedirs(os.path.join(out, "calibration"), exist_ok=True)
    rng = np.random.default_rng(3)
    np.save(os.path.join(out, "calibration", "x.npy"),
            rng.standard_normal((4, 1, S, H)).astype(np.float32))
    np.save(os.path.join(out, "eval.npy"),
            rng.standard_normal((1, S, H)).astype(np.float32))
    body = ["#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>\n",
            "#id2 = affine_map<(d0, d1) -> (d0, d1)>\n",
            "module {\n",
            f"  func.func @main(%x: {SHAPE}) -> tensor<8x16xf32> {{\n",
            "    %zero = arith.constant 0.000000e+00 : f32\n",
            "    %half = arith.constant 5.000000e-01 : f32\n"]
    body += [const(name, a) for name, a in w.items()]
    x = "x"
    for l in range(2):
        text, x = layer(l, x)
        body.append(text)
    body.append(f"    %fin = tensor.collapse_shape %{x} [[0, 1], [2]] : {SHAPE} into tensor<8x16xf32>\n")
    body.append(mm("logits", "fin", H, "head", H))
    body.append("    return %logits : tensor<8x16xf32>\n  }\n}\n")
    with open(os.path.join(out, "model.mlir"), "w") as f:
        f.write("".join(body))


def check(out, ir):
    w = weights()
    with open(ir) as f:
        text = f.read()
    m = re.search(r"loom\.skip_layers = \{cosine = array<f64: ([^>]*)>, "
                  r"granularity = \"(\w+)\", metric = \"cosine\", "
                  r"removed = array<i64(?:: ([^>]*))?>\}", text)
    if not m:
        sys.exit("FAIL: no loom.skip_layers attribute")
    scores = [float(v) for v in m.group(1).split(",")]
    granularity = m.group(2)
    removed = [int(v) for v in m.group(3).split(",")] if m.group(3) else []
    calib = np.load(os.path.join(out, "calibration", "x.npy"))
    pairs = [[] for _ in range(2)]
    for sample in calib:
        _, streams = forward(w, sample[0])
        for i in range(2):
            pairs[i].append(streams[granularity][i])
    expected = [cosine(p) for p in pairs]
    diff = max(abs(a - b) for a, b in zip(scores, expected))
    print(f"{granularity} cosines: pass {['%.6f' % s for s in scores]}, "
          f"NumPy {['%.6f' % s for s in expected]}")
    if diff > 1e-5:
        sys.exit(f"FAIL: cosines differ from NumPy by {diff:.3g}")
    order = sorted(range(2), key=lambda i: (-expected[i], i))
    if sorted(removed) != sorted(order[:len(removed)]):
        sys.exit(f"FAIL: removed {removed}, not the highest-scoring ones")
    print(f"ok: removed {removed}, the {len(removed)} highest-scoring")
    x = np.load(os.path.join(out, "eval.npy"))
    ref, _ = forward(w, x[0], removed, granularity)
    got_path = os.path.join(out, "loom-run-out")
    subprocess.run(["loom-run", ir, "--input", os.path.join(out, "eval.npy"),
                    "--output-dir", got_path], check=True, stdout=subprocess.DEVNULL)
    got = np.load(os.path.join(got_path, "result0.npy"))
    err = float(np.max(np.abs(got - ref)) / np.max(np.abs(ref)))
    full, _ = forward(w, x[0])
    change = float(np.max(np.abs(full - ref)) / np.max(np.abs(full)))
    print(f"max abs error / max |y| against the NumPy model without them: {err:.2e}; "
          f"change from the full model: {change:.2e}")
    if err > 1e-4:
        sys.exit("FAIL: the rewritten model does not compute the NumPy model")
    print("ok: matches the NumPy model")


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
    elif sys.argv[1] == "calib":
        os.makedirs(sys.argv[2], exist_ok=True)
        shape = [4] + [int(d) for d in sys.argv[3].split("x")]
        np.save(os.path.join(sys.argv[2], "x.npy"),
                np.random.default_rng(5).standard_normal(shape).astype(np.float32))
    else:
        check(sys.argv[2], sys.argv[3])
