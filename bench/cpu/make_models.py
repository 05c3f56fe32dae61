#!/usr/bin/env python3
"""Generate the ONNX models of Loom's CPU benchmarks (see bench/README.md).

    python3 bench/cpu/make_models.py OUTDIR [--size full|smoke] [--only NAME,...]
                                     [--force] [--list]

Writes OUTDIR/<name>.onnx for every model (and OUTDIR/<name>.ort.onnx where
onnxruntime should run another, equivalent form of the graph; no model needs
one since Loom imports DequantizeLinear), plus
OUTDIR/models.json, which describes them: suite, shapes, FLOPs and weight bytes
for the throughput columns, and a fingerprint of each graph (nodes and
initializer values) so that a benchmark run on another machine can check it
regenerated the same model that loomc compiled here.

Needs only Python 3, NumPy and the onnx package (onnxruntime for nothing here),
so it runs on the benchmark machine as well as on the compiling one. Weights
are seeded random data and every run writes the same graphs; nothing it
writes is ever committed (the models are large: the realistic suite is about
1 GB).

Suites:
  ops        single operations: f32 MatMul 1024^3; causal attention B1 H8 D64 at
             S=512 and S=4096; int8 weight-only MatMul 4096x4096 at batch 1 and 64.
  realistic  the sizes ../shared/docs/PERF.md asks every table for: a Llama-style
             model (examples/make_llama.py) with hidden 1024, 8 layers, 16 q / 4 kv
             heads, vocabulary 32000, at sequence 512 (prefill) and 1 (one decode
             step without a KV cache), and a Mixtral-style MoE layer (hidden 1024,
             8 SwiGLU experts of width 3584, top-2, 64 tokens).
--size smoke keeps every graph's structure at toy dimensions (CI smoke test).
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OPSET = 20
IR_VERSION = 10
# Bumped whenever a graph changes, so stale models.json files are regenerated.
FORMAT_VERSION = 3
F32_MIN = np.finfo(np.float32).min

# Dimensions per --size. "full" are the benchmark sizes; "smoke" the same graphs
# shrunk so that generating, compiling and running all of them takes seconds.
SIZES = {
    "full": {
        "matmul": dict(m=1024, k=1024, n=1024),
        "attention": dict(b=1, h=8, d=64, s_short=512, s_long=4096),
        "qmatmul": dict(k=4096, n=4096, batches=(1, 64)),
        "llama": dict(vocab=32000, hidden=1024, layers=8, heads=16, kv_heads=4,
                      intermediate=2752, prefill=512),
        "moe": dict(tokens=64, hidden=1024, ffn=3584, experts=8, top_k=2),
    },
    "smoke": {
        "matmul": dict(m=32, k=48, n=40),
        "attention": dict(b=1, h=2, d=16, s_short=16, s_long=24),
        "qmatmul": dict(k=64, n=48, batches=(1, 4)),
        "llama": dict(vocab=128, hidden=64, layers=1, heads=4, kv_heads=2,
                      intermediate=176, prefill=8),
        "moe": dict(tokens=8, hidden=32, ffn=64, experts=8, top_k=2),
    },
}


class Graph:
    """Nodes, initializers and graph inputs with generated unique names."""

    def __init__(self, seed):
        self.nodes, self.inits, self.inputs = [], [], []
        self.n = 0
        self.rng = np.random.default_rng(seed)

    def name(self, base):
        self.n += 1
        return f"{base}_{self.n}"

    def const(self, value, dtype=np.float32, name=None):
        name = name or self.name("c")
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype), name))
        return name

    def i64(self, *values):
        return self.const(list(values), np.int64)

    def op(self, op_type, *inputs, n_out=1, out=None, **attrs):
        outs = [out] if out else [self.name(op_type.lower()) for _ in range(n_out)]
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, **attrs))
        return outs[0] if n_out == 1 else outs

    def input(self, name, shape, elem=TensorProto.FLOAT):
        self.inputs.append(helper.make_tensor_value_info(name, elem, shape))
        return name

    def model(self, name, out, out_shape, opset=OPSET):
        graph = helper.make_graph(
            self.nodes, name, self.inputs,
            [helper.make_tensor_value_info(out, TensorProto.FLOAT, out_shape)],
            self.inits)
        # Fixed IR version and producer: the bytes must not depend on the onnx
        # package's version (the benchmark machine regenerates them).
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                                  ir_version=IR_VERSION, producer_name="loom-bench",
                                  producer_version=str(FORMAT_VERSION))
        onnx.checker.check_model(model)
        return model


# The relative error allowed against onnxruntime for the int8 models: its
# int8-activation MatMulNBits is approximate (see qmatmul_int8).
PEER_TOLERANCE = 3e-2
# Models whose onnxruntime results need PEER_TOLERANCE.
APPROXIMATE_PEER = ("qmatmul_int8_",)

# ===------------------------------------------------------------------------===#
# ops
# ===------------------------------------------------------------------------===#


def matmul_f32(c):
    """y[M,N] = x[M,K] @ W[K,N], W a constant."""
    g = Graph(seed=1)
    w = g.const(g.rng.standard_normal((c["k"], c["n"])) / np.sqrt(c["k"]))
    y = g.op("MatMul", g.input("x", [c["m"], c["k"]]), w)
    return g.model("matmul_f32", y, [c["m"], c["n"]])


def attention(c, s, mask_form):
    """Decomposed causal SDPA on q, k, v [B,H,S,D] graph inputs, written the way
    loom-raise-attention matches it (test/Integration/Raising/Inputs/
    attention_cases.py): K^T, MatMul, Mul by 1/sqrt(D), the causal mask,
    Softmax, the exporter's Where(IsNaN(p), 0, p) guard, MatMul with V.

    mask_form "constant": an additive [1,1,S,S] initializer of 0 / float32 min,
    as the dynamo exporter folds HF's mask (4 * S^2 bytes: 1 MiB at S=512).
    mask_form "computed": Where(LessOrEqual(key pos, query pos), scores, -inf)
    from Range, so that no S^2 constant is stored (64 MiB at S=4096)."""
    b, h, d = c["b"], c["h"], c["d"]
    g = Graph(seed=2)
    shape = [b, h, s, d]
    q, k, v = (g.input(n, shape) for n in "qkv")
    kt = g.op("Transpose", k, perm=[0, 1, 3, 2])
    scores = g.op("Mul", g.op("MatMul", q, kt), g.const(1.0 / np.sqrt(d)))
    if mask_form == "constant":
        allowed = np.tril(np.ones((s, s), dtype=bool))
        mask = np.where(allowed, np.float32(0), F32_MIN).astype(np.float32)
        scores = g.op("Add", scores, g.const(mask[None, None]))
    else:
        pos = g.op("Range", g.const(0, np.int64), g.const(s, np.int64),
                   g.const(1, np.int64))
        query = g.op("Unsqueeze", pos, g.i64(1))  # [S, 1]
        key = g.op("Unsqueeze", pos, g.i64(0))    # [1, S]
        visible = g.op("LessOrEqual", key, query)
        scores = g.op("Where", visible, scores, g.const(-np.inf))
    p = g.op("Softmax", scores, axis=-1)
    p = g.op("Where", g.op("IsNaN", p), g.const(0.0), p)
    y = g.op("MatMul", p, v)
    return g.model(f"attention_s{s}", y, shape)


def qmatmul_int8(c, m):
    """Weight-only int8 MatMul, symmetric per output channel:
    y = x @ DequantizeLinear(q, scale, axis=1). Loom and onnxruntime run the same
    file: Loom's importer reads DequantizeLinear and loom-raise-qmatmul turns the
    MatMul into loom.qmatmul on the int8 weights; onnxruntime fuses the pair into
    its int8 weight-only kernel (MatMulNBits).

    MatMulNBits at onnxruntime's default accuracy level (4) also quantizes the
    activations to int8, so its results differ from the exact ones by about
    1e-2 of the output's magnitude; the plan's check tolerance for these models
    is widened accordingly (PEER_TOLERANCE). Accuracy level 0 (f32 activations,
    Loom's semantics) is 10-100x slower in onnxruntime 1.32 (no fusion), so it
    is not the peer a user would run."""
    k, n = c["k"], c["n"]
    rng = np.random.default_rng(3)  # the same weights at every batch size
    q = rng.integers(-127, 128, size=(k, n), dtype=np.int8)
    # Scales as a symmetric per-channel quantizer of N(0, 1/K) weights would pick.
    scale = (np.abs(rng.standard_normal(n)) * 3.0 / np.sqrt(k) / 127.0 + 1e-4)
    scale = scale.astype(np.float32)
    g = Graph(seed=0)
    x = g.input("x", [m, k])
    w = g.op("DequantizeLinear", g.const(q, np.int8, name="weight_q"),
             g.const(scale, name="weight_scale"), axis=1)
    return g.model(f"qmatmul_int8_b{m}", g.op("MatMul", x, w, out="y"), [m, n])


# ===------------------------------------------------------------------------===#
# realistic
# ===------------------------------------------------------------------------===#


def llama(c, seq):
    """examples/make_llama.py at these dimensions (its configuration is module
    constants, which its functions read when called)."""
    sys.path.insert(0, os.path.join(REPO, "examples"))
    try:
        import make_llama as ml
    finally:
        sys.path.pop(0)
    ml.VOCAB, ml.HIDDEN, ml.LAYERS = c["vocab"], c["hidden"], c["layers"]
    ml.HEADS, ml.KV_HEADS = c["heads"], c["kv_heads"]
    ml.HEAD_DIM = c["hidden"] // c["heads"]
    ml.INTERMEDIATE, ml.SEQ = c["intermediate"], seq
    return ml.build_model()


def moe_layer(c):
    """A Mixtral-style sparse MoE FFN in the form of ../shared/models/
    tiny_moe_block.onnx (the dynamo export of a per-slot loop): router Gemm,
    Softmax, TopK, renormalisation; per slot, GatherND of the chosen experts'
    [E, in, out] tables, SwiGLU, weighted sum."""
    t, hd, f, e, k = c["tokens"], c["hidden"], c["ffn"], c["experts"], c["top_k"]
    g = Graph(seed=4)
    lin = lambda *shape: g.rng.standard_normal(shape).astype(np.float32) \
        / np.float32(np.sqrt(shape[-2]))
    x = g.input("hidden_states", [t, hd])
    w1 = g.const(lin(e, hd, f), name="w1")
    w3 = g.const(lin(e, hd, f), name="w3")
    w2 = g.const(lin(e, f, hd), name="w2")
    gate = g.const(g.rng.standard_normal((e, hd)) / np.sqrt(hd), name="gate.weight")
    logits = g.op("Gemm", x, gate, transB=1)
    probs = g.op("Softmax", logits, axis=-1)
    vals, idx = g.op("TopK", probs, g.i64(k), n_out=2, axis=-1, largest=1, sorted=1)
    weights = g.op("Div", vals, g.op("ReduceSum", vals, g.i64(1), keepdims=1))
    xs = g.op("Unsqueeze", x, g.i64(1))          # [T, 1, H]
    acc = g.const(np.zeros((t, hd)), name="zeros_like")
    for s in range(k):
        col = g.op("Unsqueeze", g.op("Gather", idx, g.const(s, np.int64), axis=1),
                   g.i64(1))                    # [T, 1] expert ids
        a = g.op("MatMul", xs, g.op("GatherND", w1, col))
        silu = g.op("Mul", a, g.op("Sigmoid", a))
        b = g.op("MatMul", xs, g.op("GatherND", w3, col))
        o = g.op("MatMul", g.op("Mul", silu, b), g.op("GatherND", w2, col))
        o = g.op("Squeeze", o, g.i64(1))
        w = g.op("Unsqueeze", g.op("Gather", weights, g.const(s, np.int64), axis=1),
                 g.i64(1))
        acc = g.op("Add", acc, g.op("Mul", w, o))
    return g.model("moe_layer", acc, [t, hd])


# ===------------------------------------------------------------------------===#
# The registry
# ===------------------------------------------------------------------------===#


def specs(size):
    """name -> (suite, description, build() -> model or (model, ort_model),
    FLOPs, weight bytes). FLOPs count multiply-adds as two; causal attention
    counts only the visible half of the scores (the useful work, whether or
    not an implementation skips the rest). Weight bytes are the constant bytes
    one call must read, for the bandwidth column of memory-bound cases."""
    cfg = SIZES[size]
    mm, at, qm, ll, mo = (cfg[k] for k in ("matmul", "attention", "qmatmul",
                                           "llama", "moe"))
    out = {}
    out["matmul_f32"] = (
        "ops", f"f32 MatMul {mm['m']}x{mm['k']} @ {mm['k']}x{mm['n']} (constant weights)",
        lambda: matmul_f32(mm), 2 * mm["m"] * mm["k"] * mm["n"],
        4 * mm["k"] * mm["n"])
    for s, form in ((at["s_short"], "constant"), (at["s_long"], "computed")):
        # Q.K^T and P.V over the S(S+1)/2 visible pairs.
        flops = 2 * 2 * at["b"] * at["h"] * at["d"] * s * (s + 1) // 2
        out[f"attention_s{s}"] = (
            "ops", f"causal attention B{at['b']} H{at['h']} S{s} D{at['d']}, "
                   f"{form} mask",
            (lambda s=s, form=form: attention(at, s, form)), flops, 0)
    for m in qm["batches"]:
        out[f"qmatmul_int8_b{m}"] = (
            "ops", f"int8 weight-only MatMul {m}x{qm['k']} @ {qm['k']}x{qm['n']}, "
                   "per-channel scales",
            (lambda m=m: qmatmul_int8(qm, m)), 2 * m * qm["k"] * qm["n"],
            qm["k"] * qm["n"] + 4 * qm["n"])
    hd, inter, layers = ll["hidden"], ll["intermediate"], ll["layers"]
    kv = ll["kv_heads"] * hd // ll["heads"]
    layer_params = hd * (2 * hd + 2 * kv) + 3 * hd * inter
    params = layers * layer_params + ll["vocab"] * hd  # the LM head; not the embedding
    for name, seq in (("llama_prefill", ll["prefill"]), ("llama_decode", 1)):
        attn = layers * 2 * 2 * hd * seq * (seq + 1) // 2
        out[name] = (
            "realistic",
            f"Llama hidden {hd}, {layers} layers, {ll['heads']} q / {ll['kv_heads']} "
            f"kv heads, SwiGLU {inter}, vocab {ll['vocab']}, seq {seq}",
            (lambda seq=seq: llama(ll, seq)), 2 * seq * params + attn,
            # Read per call: every layer, the norms, the LM head; of the
            # embedding only `seq` rows.
            4 * (layers * (layer_params + 2 * hd) + ll["vocab"] * hd + hd))
    ffn_flops = 2 * 3 * mo["hidden"] * mo["ffn"]
    out["moe_layer"] = (
        "realistic",
        f"MoE layer {mo['tokens']} tokens, hidden {mo['hidden']}, {mo['experts']} "
        f"SwiGLU experts of {mo['ffn']}, top-{mo['top_k']}",
        lambda: moe_layer(mo),
        mo["tokens"] * (mo["top_k"] * ffn_flops + 2 * mo["hidden"] * mo["experts"]),
        4 * mo["experts"] * 3 * mo["hidden"] * mo["ffn"])
    return out


def fingerprint(model):
    """sha256 over what the graph computes: nodes, graph inputs/outputs and
    initializer values, not over the serialized bytes (which depend on the
    onnx package's version through value_info and field defaults)."""
    h = hashlib.sha256()
    g = model.graph
    for t in sorted(g.initializer, key=lambda t: t.name):
        a = numpy_helper.to_array(t)
        h.update(f"init {t.name} {a.dtype.str} {a.shape}\n".encode())
        h.update(np.ascontiguousarray(a).tobytes())
    for n in g.node:
        h.update(f"node {n.domain}:{n.op_type} {list(n.input)} {list(n.output)}\n"
                 .encode())
        for a in sorted(n.attribute, key=lambda a: a.name):
            h.update(f"  {a.name}={helper.get_attribute_value(a)!r}\n".encode())
    for kind, values in (("in", g.input), ("out", g.output)):
        for v in values:
            vtype = v.type.SerializeToString(deterministic=True).hex()
            h.update(f"{kind} {v.name} {vtype}\n".encode())
    h.update(f"opset {[(o.domain, o.version) for o in model.opset_import]}".encode())
    return h.hexdigest()


def write(model, path):
    data = model.SerializeToString(deterministic=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def generate(outdir, size="full", only=None, force=False, log=print):
    """Writes the models (all, or those named in `only`) and models.json into
    outdir; returns the models.json dict. Models whose entry in an existing
    models.json has the same size and format are kept unless `force`."""
    table = specs(size)
    if only:
        unknown = [n for n in only if n not in table]
        if unknown:
            raise SystemExit(f"error: unknown model(s) {', '.join(unknown)} "
                             f"(known: {', '.join(table)})")
    os.makedirs(outdir, exist_ok=True)
    index_path = os.path.join(outdir, "models.json")
    old = {}
    try:
        with open(index_path, encoding="utf-8") as f:
            prev = json.load(f)
        if prev.get("size") == size and prev.get("format_version") == FORMAT_VERSION:
            old = prev.get("models", {})
    except (OSError, ValueError):
        pass
    index = {"generator": "bench/cpu/make_models.py", "format_version": FORMAT_VERSION,
             "size": size, "models": dict(old)}
    for name, (suite, desc, build, flops, wbytes) in table.items():
        if only and name not in only:
            continue
        files_ok = name in old and all(
            os.path.isfile(os.path.join(outdir, old[name][k]))
            for k in ("onnx", "peer_onnx") if old[name].get(k))
        meta = {"suite": suite, "description": desc, "flops": flops,
                "weight_bytes": wbytes}
        if files_ok and not force:
            # The graph is unchanged (FORMAT_VERSION); refresh what describes it.
            index["models"][name] = dict(old[name], **meta)
            log(f"make_models: {name}: up to date")
            continue
        built = build()
        model, peer = built if isinstance(built, tuple) else (built, None)
        entry = dict(meta, onnx=f"{name}.onnx", fingerprint=fingerprint(model))
        write(model, os.path.join(outdir, entry["onnx"]))
        if name.startswith(APPROXIMATE_PEER):
            entry["check_tolerance"] = PEER_TOLERANCE
        if peer is not None:
            entry["peer_onnx"] = f"{name}.ort.onnx"
            entry["peer_fingerprint"] = fingerprint(peer)
            write(peer, os.path.join(outdir, entry["peer_onnx"]))
        index["models"][name] = entry
        log(f"make_models: {name}: {desc} -> {os.path.join(outdir, entry['onnx'])}")
        # Write the index after every model: an interrupted run keeps what it made.
        with open(index_path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(index, f, indent=2)
        os.replace(index_path + ".tmp", index_path)
    with open(index_path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(index, f, indent=2)
    os.replace(index_path + ".tmp", index_path)
    return index


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("outdir", nargs="?", help="where to write the models")
    p.add_argument("--size", choices=sorted(SIZES), default="full")
    p.add_argument("--only", help="comma-separated model names (default: all)")
    p.add_argument("--force", action="store_true", help="regenerate existing models")
    p.add_argument("--list", action="store_true", help="list the models and exit")
    args = p.parse_args(argv)
    if args.list:
        for name, (suite, desc, *_rest) in specs(args.size).items():
            print(f"{name:<20} {suite:<10} {desc}")
        return 0
    if not args.outdir:
        p.error("OUTDIR is required")
    only = [n for n in args.only.split(",") if n] if args.only else None
    generate(args.outdir, args.size, only, args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
