"""A toy causal LM in the two-function form of `loom-insert-kv-cache`, and its
NumPy reference (the full-sequence form, float64).

    python toy_lm.py make DIR [--layers L] [--prompt P] [--capacity C] [--seed S]
                              [--embed E] [--heads H] [--head-dim D] [--vocab V]
        writes DIR/toy.mlir (@prefill and @decode_step, weights as constants),
        DIR/weights.npz and DIR/prompt.npy (int64 [1, P]).
    python toy_lm.py full DIR OUT TARGET
        writes TARGET/full.mlir (the full-sequence form, attention on the k/v
        tensors) and TARGET/seq.npy (the prompt and the generated tokens but
        the last) to run with loom-run, and TARGET/expected_rows.npy.
    python toy_lm.py check DIR OUT RTOL ATOL [STDOUT]
        reads OUT/tokens.npy and OUT/logits.npy (written by
        `loom-run --generate N --output-dir OUT`) and checks them against the
        full-sequence reference run on the prompt followed by the generated
        tokens: row i of logits.npy must match the reference logits of the
        last position before token i, and token i must be the argmax of row i
        (and of the reference row wherever its top-2 margin exceeds the
        tolerance). With STDOUT (loom-run's report), its "generated N tokens:"
        line must list the tokens of tokens.npy.

The model: x = emb[token] + pos_emb[position]; per layer, q/k/v projections
into H heads of D, causal softmax attention (scale 1/sqrt(D)) through the KV
cache, an output projection added to x; logits = x @ head.
"""

import os
import sys

import numpy as np

E, H, D, V = 8, 2, 4, 16


def set_dims(embed, heads, head_dim, vocab):
    """Other sizes than the defaults (for timing larger toys)."""
    global E, H, D, V
    E, H, D, V = embed, heads, head_dim, vocab


def weights(layers, capacity, seed):
    rng = np.random.default_rng(seed)
    # Scaled so that activations keep their size at any width (the default
    # sizes give factors of 1).
    se, sh = np.sqrt(8 / E), np.sqrt(8 / (H * D))
    w = {
        "emb": rng.normal(0, 1.0, (V, E)),
        "pos": rng.normal(0, 0.5, (capacity, E)),
        "head": rng.normal(0, 1.0 * se, (E, V)),
    }
    for l in range(layers):
        for name in ("wq", "wk", "wv"):
            w[f"{name}{l}"] = rng.normal(0, 0.6 * se, (H, E, D))
        w[f"wo{l}"] = rng.normal(0, 0.6 * sh, (H, D, E))
    return {k: v.astype(np.float32) for k, v in w.items()}


def dense(a):
    data = np.ascontiguousarray(a, dtype="<f4").tobytes().hex().upper()
    shape = "x".join(str(d) for d in a.shape)
    return f'arith.constant dense<"0x{data}"> : tensor<{shape}xf32>'


def emit_function(name, w, layers, capacity, s, decode, full=False):
    """@prefill (s = P), @decode_step (decode, s = 1) or, with `full`, the
    full-sequence form @full: logits of s tokens, attention on the k/v
    tensors (no cache)."""
    cache = f"!loom.kv_cache<1x{H}x{capacity}x{D}xf32>"
    L = []
    if full:
        L.append(f"func.func @{name}(%tokens: tensor<1x{s}xi64>) -> "
                 f"tensor<1x{s}x{V}xf32> {{")
    elif decode:
        caches = ", ".join(f"%cache{l}: {cache}" for l in range(layers))
        L.append(f"func.func @{name}(%tokens: tensor<1x1xi64>, "
                 f"%position: tensor<1xi64>, {caches}) -> "
                 f"(tensor<1x1x{V}xf32>"
                 + "".join(f", {cache}" for _ in range(layers)) + ") {")
    else:
        L.append(f"func.func @{name}(%tokens: tensor<1x{s}xi64>) -> "
                 f"(tensor<1x{s}x{V}xf32>"
                 + "".join(f", {cache}" for _ in range(layers)) + ") {")
    L.append("  %c0 = arith.constant 0 : index")
    L.append("  %zero = arith.constant 0.0 : f32")
    L.append(f"  %emb = {dense(w['emb'])}")
    L.append(f"  %pos = {dense(w['pos'])}")
    if decode:
        L.append("  %p64 = tensor.extract %position[%c0] : tensor<1xi64>")
        L.append("  %p0 = arith.index_cast %p64 : i64 to index")
    L.append(f"  %xe = tensor.empty() : tensor<1x{s}x{E}xf32>")
    L.append("  %x0 = linalg.generic {indexing_maps = ["
             "affine_map<(b, p, e) -> (b, p)>, affine_map<(b, p, e) -> (b, p, e)>],"
             " iterator_types = [\"parallel\", \"parallel\", \"parallel\"]}"
             f" ins(%tokens : tensor<1x{s}xi64>) outs(%xe : tensor<1x{s}x{E}xf32>) {{")
    L.append("  ^bb0(%t: i64, %o: f32):")
    L.append("    %ti = arith.index_cast %t : i64 to index")
    L.append("    %pi = linalg.index 1 : index")
    L.append("    %ei = linalg.index 2 : index")
    if decode:
        L.append("    %pp = arith.addi %pi, %p0 : index")
    else:
        L.append("    %pp = arith.addi %pi, %c0 : index")
    L.append(f"    %we = tensor.extract %emb[%ti, %ei] : tensor<{V}x{E}xf32>")
    L.append(f"    %wp = tensor.extract %pos[%pp, %ei] : tensor<{capacity}x{E}xf32>")
    L.append("    %sum = arith.addf %we, %wp : f32")
    L.append("    linalg.yield %sum : f32")
    L.append(f"  }} -> tensor<1x{s}x{E}xf32>")
    qkv = f"tensor<1x{H}x{s}x{D}xf32>"
    L.append(f"  %he = tensor.empty() : {qkv}")
    L.append(f"  %hz = linalg.fill ins(%zero : f32) outs(%he : {qkv}) -> {qkv}")
    outs = []
    x = "%x0"
    for l in range(layers):
        proj = {}
        for nm in ("wq", "wk", "wv"):
            L.append(f"  %{nm}{l} = {dense(w[nm + str(l)])}")
            L.append(f"  %{nm}{l}r = linalg.generic {{indexing_maps = ["
                     "affine_map<(b, h, p, d, e) -> (b, p, e)>, "
                     "affine_map<(b, h, p, d, e) -> (h, e, d)>, "
                     "affine_map<(b, h, p, d, e) -> (b, h, p, d)>], iterator_types = "
                     "[\"parallel\", \"parallel\", \"parallel\", \"parallel\", \"reduction\"]}"
                     f" ins({x}, %{nm}{l} : tensor<1x{s}x{E}xf32>, tensor<{H}x{E}x{D}xf32>)"
                     f" outs(%hz : {qkv}) {{")
            L.append("  ^bb0(%a: f32, %b: f32, %acc: f32):")
            L.append("    %m = arith.mulf %a, %b : f32")
            L.append("    %r = arith.addf %acc, %m : f32")
            L.append("    linalg.yield %r : f32")
            L.append(f"  }} -> {qkv}")
            proj[nm] = f"%{nm}{l}r"
        if full:
            L.append(f"  %att{l} = loom.attention {proj['wq']}, {proj['wk']}, "
                     f"{proj['wv']} {{causal}} : ({qkv}, {qkv}, {qkv}) -> {qkv}")
        else:
            src = f"%cache{l}" if decode else f"%init{l}"
            if not decode:
                L.append(f"  %init{l} = loom.kv.init : {cache}")
            L.append(f"  %new{l} = loom.kv.append {src}, {proj['wk']}, "
                     f"{proj['wv']} : {cache}, {qkv}, {qkv}")
            L.append(f"  %att{l} = loom.attention {proj['wq']}, %new{l} "
                     f"{{causal}} : ({qkv}, {cache}) -> {qkv}")
            outs.append(f"%new{l}")
        L.append(f"  %wo{l} = {dense(w['wo' + str(l)])}")
        L.append(f"  %x{l + 1} = linalg.generic {{indexing_maps = ["
                 "affine_map<(b, p, e, h, d) -> (b, h, p, d)>, "
                 "affine_map<(b, p, e, h, d) -> (h, d, e)>, "
                 "affine_map<(b, p, e, h, d) -> (b, p, e)>], iterator_types = "
                 "[\"parallel\", \"parallel\", \"parallel\", \"reduction\", \"reduction\"]}"
                 f" ins(%att{l}, %wo{l} : {qkv}, tensor<{H}x{D}x{E}xf32>)"
                 f" outs({x} : tensor<1x{s}x{E}xf32>) {{")
        L.append("  ^bb0(%a: f32, %b: f32, %acc: f32):")
        L.append("    %m = arith.mulf %a, %b : f32")
        L.append("    %r = arith.addf %acc, %m : f32")
        L.append("    linalg.yield %r : f32")
        L.append(f"  }} -> tensor<1x{s}x{E}xf32>")
        x = f"%x{l + 1}"
    L.append(f"  %head = {dense(w['head'])}")
    L.append(f"  %le = tensor.empty() : tensor<1x{s}x{V}xf32>")
    L.append(f"  %lz = linalg.fill ins(%zero : f32) outs(%le : tensor<1x{s}x{V}xf32>)"
             f" -> tensor<1x{s}x{V}xf32>")
    L.append("  %logits = linalg.generic {indexing_maps = ["
             "affine_map<(b, p, v, e) -> (b, p, e)>, affine_map<(b, p, v, e) -> (e, v)>, "
             "affine_map<(b, p, v, e) -> (b, p, v)>], iterator_types = "
             "[\"parallel\", \"parallel\", \"parallel\", \"reduction\"]}"
             f" ins({x}, %head : tensor<1x{s}x{E}xf32>, tensor<{E}x{V}xf32>)"
             f" outs(%lz : tensor<1x{s}x{V}xf32>) {{")
    L.append("  ^bb0(%a: f32, %b: f32, %acc: f32):")
    L.append("    %m = arith.mulf %a, %b : f32")
    L.append("    %r = arith.addf %acc, %m : f32")
    L.append("    linalg.yield %r : f32")
    L.append(f"  }} -> tensor<1x{s}x{V}xf32>")
    L.append(f"  return {', '.join(['%logits'] + outs)} : tensor<1x{s}x{V}xf32>"
             + "".join(f", {cache}" for _ in outs))
    L.append("}")
    return "\n".join(L)


def reference_logits(w, layers, tokens):
    """Full-sequence forward in float64: logits [S, V]."""
    w = {k: v.astype(np.float64) for k, v in w.items()}
    s = len(tokens)
    x = w["emb"][tokens] + w["pos"][:s]
    mask = np.tril(np.ones((s, s), bool))
    for l in range(layers):
        q = np.einsum("pe,hed->hpd", x, w[f"wq{l}"])
        k = np.einsum("pe,hed->hpd", x, w[f"wk{l}"])
        v = np.einsum("pe,hed->hpd", x, w[f"wv{l}"])
        scores = np.einsum("hpd,hqd->hpq", q, k) / np.sqrt(D)
        scores = np.where(mask[None], scores, -np.inf)
        scores -= scores.max(-1, keepdims=True)
        p = np.exp(scores)
        p /= p.sum(-1, keepdims=True)
        o = np.einsum("hpq,hqd->hpd", p, v)
        x = x + np.einsum("hpd,hde->pe", o, w[f"wo{l}"])
    return x @ w["head"]


def make(out, layers, prompt, capacity, seed):
    os.makedirs(out, exist_ok=True)
    w = weights(layers, capacity, seed)
    np.savez(os.path.join(out, "weights.npz"), layers=layers,
             dims=np.array([E, H, D, V]), **w)
    text = [f"// toy_lm.py: {layers} layers, prompt {prompt}, capacity {capacity}",
            emit_function("prefill", w, layers, capacity, prompt, False),
            emit_function("decode_step", w, layers, capacity, 1, True)]
    with open(os.path.join(out, "toy.mlir"), "w") as f:
        f.write("\n\n".join(text) + "\n")
    rng = np.random.default_rng(seed + 1)
    np.save(os.path.join(out, "prompt.npy"),
            rng.integers(0, V, (1, prompt)).astype(np.int64))


def check(model_dir, out, rtol, atol, report=None):
    data = np.load(os.path.join(model_dir, "weights.npz"))
    layers = int(data["layers"])
    set_dims(*(int(x) for x in data["dims"]))
    w = {k: data[k] for k in data.files if k not in ("layers", "dims")}
    prompt = np.load(os.path.join(model_dir, "prompt.npy"))[0]
    tokens = np.load(os.path.join(out, "tokens.npy"))
    logits = np.load(os.path.join(out, "logits.npy"))
    assert tokens.dtype == np.int64, tokens.dtype
    n = tokens.shape[-1]
    tokens = tokens.reshape(n)
    logits = logits.reshape(n, V)
    seq = np.concatenate([prompt, tokens[:-1]])
    ref = reference_logits(w, layers, seq)[len(prompt) - 1:]
    ok = True
    for i in range(n):
        err = np.abs(logits[i] - ref[i])
        bad = err > atol + rtol * np.abs(ref[i])
        top = np.sort(ref[i])[-2:]
        clear = top[1] - top[0] > 2 * (atol + rtol * abs(top[1]))
        tok_ok = tokens[i] == np.argmax(logits[i]) and (
            not clear or tokens[i] == np.argmax(ref[i]))
        status = "ok" if not bad.any() and tok_ok else "MISMATCH"
        ok &= status == "ok"
        print(f"token {i}: {tokens[i]} max_abs_err {err.max():.3g}: {status}")
    print("tokens:", " ".join(str(t) for t in tokens))
    if report:
        with open(report) as f:
            lines = [l for l in f if l.startswith("generated ")]
        printed = lines[0].split(":")[1].split() if lines else None
        same = printed == [str(t) for t in tokens]
        print("report lists the same tokens:", "yes" if same else "NO")
        ok &= same
    return 0 if ok else 1


def full(model_dir, out, target):
    """Writes TARGET/full.mlir, the full-sequence form @full of the model on
    the prompt followed by OUT/tokens.npy but the last, and TARGET/seq.npy,
    those tokens, for `loom-run full.mlir --input seq.npy`; its logits from
    position P - 1 on must match OUT/logits.npy."""
    data = np.load(os.path.join(model_dir, "weights.npz"))
    layers = int(data["layers"])
    set_dims(*(int(x) for x in data["dims"]))
    w = {k: data[k] for k in data.files if k not in ("layers", "dims")}
    prompt = np.load(os.path.join(model_dir, "prompt.npy"))[0]
    tokens = np.load(os.path.join(out, "tokens.npy")).reshape(-1)
    seq = np.concatenate([prompt, tokens[:-1]]).astype(np.int64)[None]
    capacity = w["pos"].shape[0]
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "full.mlir"), "w") as f:
        f.write(emit_function("full", w, layers, capacity, seq.shape[1], False,
                              full=True) + "\n")
    np.save(os.path.join(target, "seq.npy"), seq)
    logits = np.load(os.path.join(out, "logits.npy")).reshape(-1, V)
    # The rows of the generate run, at the positions they were computed at.
    np.save(os.path.join(target, "expected_rows.npy"), logits)
    return 0


def main(argv):
    if argv[1] == "make":
        args = dict(layers=2, prompt=4, capacity=8, seed=0)
        dims = dict(embed=E, heads=H, head_dim=D, vocab=V)
        rest = argv[3:]
        for i in range(0, len(rest), 2):
            key = rest[i].lstrip("-").replace("-", "_")
            (dims if key in dims else args)[key] = int(rest[i + 1])
        set_dims(**dims)
        make(argv[2], **args)
        return 0
    if argv[1] == "full":
        return full(argv[2], argv[3], argv[4])
    if argv[1] == "check":
        return check(argv[2], argv[3], float(argv[4]), float(argv[5]),
                     argv[6] if len(argv) > 6 else None)
    raise SystemExit("usage: toy_lm.py make DIR | check DIR OUT RTOL ATOL")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
