#!/usr/bin/env python3
"""Small ONNX graphs of decomposed rotary embeddings and RMS normalisations, in the
forms exporters emit (HuggingFace apply_rotary_pos_emb / LlamaRMSNorm and their
variants), for loom-raise-rope's and loom-raise-rms-norm's execution tests.

    python layer_cases.py CASE OUT.onnx

Every input is a float tensor, so a test can run the graph before and after raising on
the same random data. Rope tables are computed in the graph from a float position
input (cos/sin of positions times inverse frequencies), as the exporters do, unless a
case says otherwise. Cases starting with ``negative_`` must not be raised.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

import onnx_graph


class Graph(onnx_graph.Graph):
    def model(self, out, out_shape):
        g = helper.make_graph(self.nodes, "layer", self.inputs,
                              [helper.make_tensor_value_info(out, TensorProto.FLOAT,
                                                             out_shape)],
                              self.inits)
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 20)])


def slice_last(g, x, start, end):
    return g.op("Slice", x, g.const([start], np.int64), g.const([end], np.int64),
                g.const([-1], np.int64))


def rotate_half(g, x, d, wrong=False):
    lo, hi = slice_last(g, x, 0, d // 2), slice_last(g, x, d // 2, d)
    if wrong:  # cat(-x1, x2): not a rotation
        return g.op("Concat", g.op("Neg", lo), hi, axis=-1)
    return g.op("Concat", g.op("Neg", hi), lo, axis=-1)


def rotate_every_two(g, x, shape):
    """GPT-J as torch exports it: stack((-x[..., 1::2], x[..., ::2]), -1).flatten(-2)."""
    *lead, d = shape
    def strided(start):
        return g.op("Slice", x, g.const([start], np.int64), g.const([d], np.int64),
                    g.const([-1], np.int64), g.const([2], np.int64))
    axes = g.const([-1], np.int64)
    odd = g.op("Unsqueeze", g.op("Neg", strided(1)), axes)
    even = g.op("Unsqueeze", strided(0), axes)
    both = g.op("Concat", odd, even, axis=-1)
    return g.op("Reshape", both, g.const(lead + [d], np.int64))


def rotate_pairs_by_reshape(g, x, shape):
    """The same pairing through a Reshape to [..., D/2, 2] and unit slices: not
    recognised (the pass matches strided slices)."""
    *lead, d = shape
    pairs = g.op("Reshape", x, g.const(lead + [d // 2, 2], np.int64))
    even = g.op("Slice", pairs, g.const([0], np.int64), g.const([1], np.int64),
                g.const([-1], np.int64))
    odd = g.op("Slice", pairs, g.const([1], np.int64), g.const([2], np.int64),
               g.const([-1], np.int64))
    both = g.op("Concat", g.op("Neg", odd), even, axis=-1)
    return g.op("Reshape", both, g.const(lead + [d], np.int64))


def tables(g, s, r, unsqueeze, interleaved=False):
    """cos/sin [S, R] computed from a float position input [S, 1], then Unsqueezed."""
    pos = g.input("pos", [s, 1])
    inv = g.const((10000.0 ** (-np.arange(0, r, 2) / r))[None, :].astype(np.float32))
    freqs = g.op("MatMul", pos, inv)
    if interleaved:
        f2 = g.op("Unsqueeze", freqs, g.const([-1], np.int64))
        emb = g.op("Reshape", g.op("Concat", f2, f2, axis=-1),
                   g.const([s, r], np.int64))
    else:
        emb = g.op("Concat", freqs, freqs, axis=-1)
    cos, sin = g.op("Cos", emb), g.op("Sin", emb)
    if unsqueeze:
        axes = g.const(unsqueeze, np.int64)
        cos, sin = g.op("Unsqueeze", cos, axes), g.op("Unsqueeze", sin, axes)
    return cos, sin


def build_rope(case):
    b, h, s, d = 1, 4, 6, 8
    g = Graph()
    if case == "rope_llama":
        # q [B, H, S, D], tables Unsqueezed to [1, 1, S, D].
        x = g.input("q", [b, h, s, d])
        cos, sin = tables(g, s, d, [0, 1])
        out = g.op("Add", g.op("Mul", x, cos), g.op("Mul", rotate_half(g, x, d), sin))
        return g.model(out, [b, h, s, d])
    if case == "rope_swapped":
        # Operands in the other order everywhere; tables [S, D] broadcast by rank.
        x = g.input("q", [b, h, s, d])
        cos, sin = tables(g, s, d, None)
        out = g.op("Add", g.op("Mul", sin, rotate_half(g, x, d)), g.op("Mul", cos, x))
        return g.model(out, [b, h, s, d])
    if case == "rope_bshd":
        # x [B, S, H, D] with tables Unsqueezed at axis 1 of [S, D] then 0: [1, S, 1, D].
        x = g.input("q", [b, s, h, d])
        cos, sin = tables(g, s, d, [0, 2])
        out = g.op("Add", g.op("Mul", x, cos), g.op("Mul", rotate_half(g, x, d), sin))
        return g.model(out, [b, s, h, d])
    if case == "rope_partial":
        # NeoX / Phi partial rotary: 4 of 10 channels.
        d, r = 10, 4
        x = g.input("q", [b, h, s, d])
        cos, sin = tables(g, s, r, [0, 1])
        xr, xp = slice_last(g, x, 0, r), slice_last(g, x, r, d)
        rot = g.op("Add", g.op("Mul", xr, cos), g.op("Mul", rotate_half(g, xr, r), sin))
        return g.model(g.op("Concat", rot, xp, axis=-1), [b, h, s, d])
    if case == "rope_tables_input":
        # Tables as graph inputs (arbitrary values: the op needs no repeated halves).
        x = g.input("q", [b, h, s, d])
        cos, sin = g.input("cos", [b, 1, s, d]), g.input("sin", [b, 1, s, d])
        out = g.op("Add", g.op("Mul", x, cos), g.op("Mul", rotate_half(g, x, d), sin))
        return g.model(out, [b, h, s, d])
    if case == "negative_wrong_pair":
        x = g.input("q", [b, h, s, d])
        cos, sin = tables(g, s, d, [0, 1])
        rot = rotate_half(g, x, d, wrong=True)
        out = g.op("Add", g.op("Mul", x, cos), g.op("Mul", rot, sin))
        return g.model(out, [b, h, s, d])
    if case == "negative_other_tensor":
        # rotate_half of k added to q * cos.
        x = g.input("q", [b, h, s, d])
        k = g.input("k", [b, h, s, d])
        cos, sin = tables(g, s, d, [0, 1])
        out = g.op("Add", g.op("Mul", x, cos), g.op("Mul", rotate_half(g, k, d), sin))
        return g.model(out, [b, h, s, d])
    if case == "negative_sub":
        x = g.input("q", [b, h, s, d])
        cos, sin = tables(g, s, d, [0, 1])
        out = g.op("Sub", g.op("Mul", x, cos), g.op("Mul", rotate_half(g, x, d), sin))
        return g.model(out, [b, h, s, d])
    if case == "rope_interleaved":
        # GPT-J's rotate_every_two with repeat_interleave'd tables.
        x = g.input("q", [b, h, s, d])
        cos, sin = tables(g, s, d, [0, 1], interleaved=True)
        rot = rotate_every_two(g, x, [b, h, s, d])
        out = g.op("Add", g.op("Mul", x, cos), g.op("Mul", rot, sin))
        return g.model(out, [b, h, s, d])
    if case == "rope_interleaved_partial":
        # GPT-J proper: 4 of 10 channels rotated in pairs, [B, S, H, D] layout.
        d, r = 10, 4
        x = g.input("q", [b, s, h, d])
        cos, sin = tables(g, s, r, [0, 2], interleaved=True)
        xr, xp = slice_last(g, x, 0, r), slice_last(g, x, r, d)
        rot = g.op("Add", g.op("Mul", xr, cos),
                   g.op("Mul", rotate_every_two(g, xr, [b, s, h, r]), sin))
        return g.model(g.op("Concat", rot, xp, axis=-1), [b, s, h, d])
    if case == "negative_pairs_by_reshape":
        # A valid interleaved rotary embedding in a spelling the pass does not know.
        x = g.input("q", [b, h, s, d])
        cos, sin = tables(g, s, d, [0, 1], interleaved=True)
        rot = rotate_pairs_by_reshape(g, x, [b, h, s, d])
        out = g.op("Add", g.op("Mul", x, cos), g.op("Mul", rot, sin))
        return g.model(out, [b, h, s, d])
    if case == "negative_interleaved_wrong_sign":
        # stack(x[..., 1::2], -x[..., ::2]): the rotation the other way round.
        x = g.input("q", [b, h, s, d])
        cos, sin = tables(g, s, d, [0, 1], interleaved=True)
        def strided(start):
            return g.op("Slice", x, g.const([start], np.int64), g.const([d], np.int64),
                        g.const([-1], np.int64), g.const([2], np.int64))
        axes = g.const([-1], np.int64)
        odd = g.op("Unsqueeze", strided(1), axes)
        even = g.op("Unsqueeze", g.op("Neg", strided(0)), axes)
        rot = g.op("Reshape", g.op("Concat", odd, even, axis=-1),
                   g.const([b, h, s, d], np.int64))
        out = g.op("Add", g.op("Mul", x, cos), g.op("Mul", rot, sin))
        return g.model(out, [b, h, s, d])
    return None


def build_rms(case):
    shape = [1, 6, 16]
    g = Graph()
    opts = dict(square="pow", mean="reducemean", inv="reciprocal", weight="left",
                eps=1e-6, axis=-1, keepdims=1, center=False, eps_input=False)
    if case == "rms_div_root":
        opts.update(square="mul", inv="div", weight="right", eps=1e-5)
    elif case == "rms_sum_times_inverse":
        shape = [2, 5, 24]  # 1/24 is not exact in f32
        opts.update(mean="sum_mul", weight="none")
    elif case == "rms_per_head":
        shape = [1, 6, 4, 8]  # Qwen3 q_norm over the head dim of [B, S, H, D]
    elif case == "rms_no_keepdims":
        opts.update(keepdims=0)
    elif case == "negative_wrong_axis":
        opts.update(axis=1)
    elif case == "negative_eps_input":
        opts.update(eps_input=True)
    elif case == "rms_of_centered":
        # x - mean(x) first (LayerNorm without its shift): an RMS norm of the
        # centred tensor, raised with the centring left in front of it.
        opts.update(center=True)
    elif case == "negative_wrong_count":
        opts.update(mean="sum_div_wrong")
    elif case != "rms_llama":
        raise SystemExit(f"unknown case {case}")
    n = shape[-1]
    x = g.input("x", shape)
    src = x
    if opts["center"]:
        mu = g.op("ReduceMean", x, g.const([-1], np.int64), keepdims=1)
        src = g.op("Sub", x, mu)
    if opts["square"] == "pow":
        sq = g.op("Pow", src, g.const(2.0))
    else:
        sq = g.op("Mul", src, src)
    axes = g.const([opts["axis"]], np.int64)
    keep = opts["keepdims"]
    if opts["mean"] == "reducemean":
        m = g.op("ReduceMean", sq, axes, keepdims=keep)
    elif opts["mean"] == "sum_mul":
        m = g.op("Mul", g.op("ReduceSum", sq, axes, keepdims=keep),
                 g.const(np.float32(1.0 / n)))
    else:
        m = g.op("Div", g.op("ReduceSum", sq, axes, keepdims=keep), g.const(n + 1.0))
    if not keep:
        m = g.op("Unsqueeze", m, g.const([-1], np.int64))
    eps = g.input("eps", [1]) if opts["eps_input"] else g.const(opts["eps"])
    root = g.op("Sqrt", g.op("Add", m, eps))
    if opts["inv"] == "reciprocal":
        y = g.op("Mul", src, g.op("Reciprocal", root))
    else:
        y = g.op("Div", src, root)
    w = g.const(np.random.default_rng(0).standard_normal(n).astype(np.float32))
    if opts["weight"] == "left":
        y = g.op("Mul", w, y)
    elif opts["weight"] == "right":
        y = g.op("Mul", y, w)
    return g.model(y, shape)


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    model = build_rope(argv[1]) or build_rms(argv[1])
    onnx.save(model, argv[2])


if __name__ == "__main__":
    main(sys.argv)
