#!/usr/bin/env python3
"""Build a small Llama-style causal LM as an ONNX model, plus its reference output.

The graph is written op for op the way `torch.onnx.export(..., dynamo=True)` (PyTorch
2.11, opset 20) emits HuggingFace's LlamaForCausalLM (compare
../shared/models/tiny_llama.onnx), so that Loom's importer and raising passes see the
realistic pattern:

* token embedding: Gather;
* RMSNorm: Pow(x, 2), ReduceMean(-1, keepdims), Add(eps), Sqrt, Reciprocal, Mul, Mul(weight);
* Q/K/V projections: MatMul, Reshape to [B, S, heads, D], Transpose [0, 2, 1, 3];
* RoPE (rotate_half): Mul(x, cos), Slice/Slice/Neg/Concat, Mul(., sin), Add, with
  constant cos/sin tables [1, 1, S, D];
* GQA attention (decomposed SDPA): K and V repeated over the query groups by
  Unsqueeze(2)/Expand/Reshape; K^T as Reshape [B*H, S, D], Transpose [0, 2, 1],
  Reshape [B, H, D, S]; the 1/sqrt(D) scale split as sqrt into Muls on Q and K^T;
  MatMul, Add of a constant causal mask (0 / float32 min), Softmax(-1),
  Where(IsNaN(p), 0, p), MatMul with V, Transpose [0, 2, 1, 3], Reshape [B, S, -1],
  output projection MatMul, residual Add;
* SwiGLU MLP: gate MatMul, Sigmoid, Mul (SiLU), up MatMul, Mul, down MatMul, residual Add;
* final RMSNorm and LM head MatMul: logits [1, S, vocab].

Weights are seeded random fp32. Writes, into --out DIR:
  model.onnx      the model (opset 20, weights embedded)
  input_ids.npy   int64 [1, S], a fixed seeded token sequence
  logits.npy      float32 [1, S, vocab], onnxruntime (CPU, one thread) on input_ids
Every run writes the same bytes.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# Architecture (LlamaConfig names).
VOCAB = 512
HIDDEN = 128
LAYERS = 2
HEADS = 8           # query heads
KV_HEADS = 2        # key/value heads (GQA, 4 query heads per kv head)
HEAD_DIM = HIDDEN // HEADS  # 16
INTERMEDIATE = 352  # SwiGLU width
SEQ = 32
EPS = 1e-6
ROPE_THETA = 10000.0
SEED = 0
OPSET = 20
IR_VERSION = 10


class Graph:
    """Collects nodes and initializers; names nodes as the exporter does."""

    def __init__(self):
        self.nodes = []
        self.initializers = []
        self.names = set()
        self.counter = 0

    def fresh(self, base):
        self.counter += 1
        return f"{base}_{self.counter}"

    def const(self, name, array):
        assert name not in self.names, name
        self.names.add(name)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, op_type, inputs, base=None, out=None, **attrs):
        out = out or self.fresh(base or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=f"node_{out}",
                                           **attrs))
        return out


def i64(*values):
    return np.array(values, dtype=np.int64)


def f32(value):
    return np.array(value, dtype=np.float32)


def weights(rng):
    """Seeded random weights; projections scaled by 1/sqrt(fan_in) (stored [in, out])."""

    def linear(fan_in, fan_out):
        return (rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(np.float32)

    def norm():
        return (1.0 + 0.1 * rng.standard_normal(HIDDEN)).astype(np.float32)

    w = {"embed": rng.standard_normal((VOCAB, HIDDEN)).astype(np.float32), "layers": []}
    for _ in range(LAYERS):
        w["layers"].append({
            "input_norm": norm(),
            "q": linear(HIDDEN, HEADS * HEAD_DIM),
            "k": linear(HIDDEN, KV_HEADS * HEAD_DIM),
            "v": linear(HIDDEN, KV_HEADS * HEAD_DIM),
            "o": linear(HEADS * HEAD_DIM, HIDDEN),
            "post_norm": norm(),
            "gate": linear(HIDDEN, INTERMEDIATE),
            "up": linear(HIDDEN, INTERMEDIATE),
            "down": linear(INTERMEDIATE, HIDDEN),
        })
    w["final_norm"] = norm()
    w["lm_head"] = linear(HIDDEN, VOCAB)
    return w


def rope_tables():
    """HF LlamaRotaryEmbedding (default rope), positions 0..S-1, as [1, 1, S, D]."""
    inv_freq = 1.0 / (ROPE_THETA ** (np.arange(0, HEAD_DIM, 2, dtype=np.int64)
                                     .astype(np.float32) / HEAD_DIM))
    freqs = np.arange(SEQ, dtype=np.float32)[:, None] * inv_freq[None, :].astype(np.float32)
    emb = np.concatenate([freqs, freqs], axis=-1)
    return (np.cos(emb).astype(np.float32)[None, None],
            np.sin(emb).astype(np.float32)[None, None])


def causal_mask():
    """The additive mask the exporter folds to a constant: 0 on and below the diagonal."""
    allowed = np.tril(np.ones((SEQ, SEQ), dtype=bool))
    mask = np.where(allowed, np.float32(0), np.finfo(np.float32).min)
    return mask.astype(np.float32)[None, None]


def build_model():
    rng = np.random.default_rng(SEED)
    w = weights(rng)
    g = Graph()

    # Shared small constants (the exporter deduplicates these across layers).
    c_two = g.const("pow_exponent", f32(2.0))
    c_axes_last = g.const("reduce_axes", i64(-1))
    c_eps = g.const("rms_eps", f32(EPS))
    c_heads_shape = g.const("heads_shape", i64(1, SEQ, -1, HEAD_DIM))
    cos, sin = rope_tables()
    c_cos = g.const("rope_cos", cos)
    c_sin = g.const("rope_sin", sin)
    c_zero = g.const("slice_zero", i64(0))
    c_half = g.const("slice_half", i64(HEAD_DIM // 2))
    c_axis3 = g.const("slice_axis", i64(3))
    c_end = g.const("slice_end", i64(np.iinfo(np.int64).max))
    c_step = g.const("slice_step", i64(1))
    c_unsq_axis = g.const("unsqueeze_axes", i64(2))
    c_expand = g.const("expand_shape", i64(1, KV_HEADS, HEADS // KV_HEADS, SEQ, HEAD_DIM))
    c_rep_shape = g.const("repeat_shape", i64(1, HEADS, SEQ, HEAD_DIM))
    c_kt_flat = g.const("kt_flat_shape", i64(HEADS, SEQ, HEAD_DIM))
    c_kt_shape = g.const("kt_shape", i64(1, HEADS, HEAD_DIM, SEQ))
    # 1/sqrt(D) applied as sqrt(1/sqrt(D)) to both Q and K^T, as the exporter does.
    c_scale = g.const("sdpa_scale", f32(np.sqrt(1.0 / np.sqrt(HEAD_DIM))))
    c_nan_zero = g.const("nan_zero", f32(0.0))
    c_merge_shape = g.const("merge_shape", i64(1, SEQ, -1))

    def rms_norm(x, weight_name, weight):
        wn = g.const(weight_name, weight)
        p = g.op("Pow", [x, c_two], "pow")
        mean = g.op("ReduceMean", [p, c_axes_last], "mean", keepdims=1,
                    noop_with_empty_axes=0)
        a = g.op("Add", [mean, c_eps], "add")
        s = g.op("Sqrt", [a], "sqrt")
        r = g.op("Reciprocal", [s], "rsqrt")
        n = g.op("Mul", [x, r], "mul")
        return g.op("Mul", [wn, n], "mul")

    def heads(x, weight_name, weight):
        wn = g.const(weight_name, weight)
        y = g.op("MatMul", [x, wn], "linear")
        y = g.op("Reshape", [y, c_heads_shape], "view", allowzero=1)
        return g.op("Transpose", [y], "transpose", perm=[0, 2, 1, 3])

    def rope(x):
        xc = g.op("Mul", [x, c_cos], "mul")
        x1 = g.op("Slice", [x, c_zero, c_half, c_axis3, c_step], "slice")
        x2 = g.op("Slice", [x, c_half, c_end, c_axis3, c_step], "slice")
        nx2 = g.op("Neg", [x2], "neg")
        rot = g.op("Concat", [nx2, x1], "cat", axis=-1)
        xs = g.op("Mul", [rot, c_sin], "mul")
        return g.op("Add", [xc, xs], "add")

    def repeat_kv(x):
        u = g.op("Unsqueeze", [x, c_unsq_axis], "unsqueeze")
        return g.op("Expand", [u, c_expand], "expand")

    hidden = g.op("Gather", [g.const("model.embed_tokens.weight", w["embed"]), "input_ids"],
                  "embedding", axis=0)
    for li, lw in enumerate(w["layers"]):
        pre = f"model.layers.{li}."
        x = rms_norm(hidden, pre + "input_layernorm.weight", lw["input_norm"])
        q = heads(x, pre + "self_attn.q_proj.weight", lw["q"])
        k = heads(x, pre + "self_attn.k_proj.weight", lw["k"])
        v = heads(x, pre + "self_attn.v_proj.weight", lw["v"])
        q = rope(q)
        k = rope(k)
        k = repeat_kv(k)
        v = repeat_kv(v)
        v = g.op("Reshape", [v, c_rep_shape], "_unsafe_view", allowzero=1)
        kt = g.op("Reshape", [k, c_kt_flat], "reshape")
        kt = g.op("Transpose", [kt], "transpose", perm=[0, 2, 1])
        kt = g.op("Reshape", [kt, c_kt_shape], "reshape", allowzero=0)
        qs = g.op("Mul", [q, c_scale], "mul")
        kts = g.op("Mul", [kt, c_scale], "mul")
        scores = g.op("MatMul", [qs, kts], "matmul")
        scores = g.op("Add", [scores, g.const(pre + "causal_mask", causal_mask())], "add")
        probs = g.op("Softmax", [scores], "softmax", axis=-1)
        nan = g.op("IsNaN", [probs], "isnan")
        probs = g.op("Where", [nan, c_nan_zero, probs], "where")
        attn = g.op("MatMul", [probs, v], "scaled_dot_product_attention")
        attn = g.op("Transpose", [attn], "transpose", perm=[0, 2, 1, 3])
        attn = g.op("Reshape", [attn, c_merge_shape], "view", allowzero=1)
        attn = g.op("MatMul", [attn, g.const(pre + "self_attn.o_proj.weight", lw["o"])],
                    "linear")
        hidden = g.op("Add", [hidden, attn], "add")

        x = rms_norm(hidden, pre + "post_attention_layernorm.weight", lw["post_norm"])
        gate = g.op("MatMul", [x, g.const(pre + "mlp.gate_proj.weight", lw["gate"])],
                    "linear")
        silu = g.op("Mul", [gate, g.op("Sigmoid", [gate], "sigmoid")], "silu")
        up = g.op("MatMul", [x, g.const(pre + "mlp.up_proj.weight", lw["up"])], "linear")
        down = g.op("MatMul", [g.op("Mul", [silu, up], "mul"),
                               g.const(pre + "mlp.down_proj.weight", lw["down"])], "linear")
        hidden = g.op("Add", [hidden, down], "add")

    x = rms_norm(hidden, "model.norm.weight", w["final_norm"])
    g.op("MatMul", [x, g.const("lm_head.weight", w["lm_head"])], out="logits")

    graph = helper.make_graph(
        g.nodes, "main_graph",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, SEQ])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, SEQ, VOCAB])],
        initializer=g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              ir_version=IR_VERSION, producer_name="loom-examples",
                              producer_version="1")
    model = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    onnx.checker.check_model(model, full_check=True)
    return model


def input_ids():
    return np.random.default_rng(SEED + 1).integers(0, VOCAB, size=(1, SEQ), dtype=np.int64)


def reference(model_bytes, ids):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(model_bytes, opts, providers=["CPUExecutionProvider"])
    (logits,) = sess.run(["logits"], {"input_ids": ids})
    return logits.astype(np.float32)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="output directory (created)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    model = build_model()
    data = model.SerializeToString(deterministic=True)
    ids = input_ids()
    logits = reference(data, ids)

    with open(os.path.join(args.out, "model.onnx"), "wb") as f:
        f.write(data)
    np.save(os.path.join(args.out, "input_ids.npy"), ids)
    np.save(os.path.join(args.out, "logits.npy"), logits)
    params = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    print(f"make_llama: {LAYERS} layers, hidden {HIDDEN}, {HEADS} q / {KV_HEADS} kv heads "
          f"(head dim {HEAD_DIM}), SwiGLU {INTERMEDIATE}, vocab {VOCAB}, seq {SEQ}, "
          f"{params} parameters, {len(model.graph.node)} nodes -> {args.out} "
          f"(max |logits| = {np.abs(logits).max():.4g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
