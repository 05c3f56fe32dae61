#!/usr/bin/env python3
"""Small ONNX graphs of decomposed attention, in the forms exporters emit, for
loom-raise-attention's execution tests.

    python attention_cases.py CASE OUT.onnx

Inputs are q [B,Hq,Sq,D], k and v [B,Hkv,Skv,D] (plus a mask for the cases that take
one), so a test can run the graph before and after raising on the same random data.
Cases starting with ``negative_`` must not be raised.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

import onnx_graph

F32_MIN = np.finfo(np.float32).min


class Graph(onnx_graph.Graph):
    def model(self, out, out_shape):
        g = helper.make_graph(self.nodes, "attention", self.inputs,
                              [helper.make_tensor_value_info(out, TensorProto.FLOAT,
                                                             out_shape)],
                              self.inits)
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 20)])


def repeat_kv(g, x, b, hkv, s, d, group, tile=False):
    """GQA expansion as the dynamo exporter writes it (Unsqueeze/Expand/Reshape), or
    with Tile (head h reads kv head h % Hkv: not GQA grouping)."""
    if group == 1:
        return x
    if tile:
        return g.op("Tile", x, g.const([1, group, 1, 1], np.int64))
    u = g.op("Unsqueeze", x, g.const([2], np.int64))
    e = g.op("Expand", u, g.const([b, hkv, group, s, d], np.int64))
    return g.op("Reshape", e, g.const([b, hkv * group, s, d], np.int64))


def causal_mask(sq, skv, window=None, sinks=0, masked=F32_MIN):
    pos = np.arange(sq)[:, None] + skv - sq
    j = np.arange(skv)[None, :]
    vis = j <= pos
    if window:
        vis &= (j > pos - window) | (j < sinks)
    return np.where(vis, 0.0, masked).astype(np.float32)[None, None], vis


def build(case):
    b, hq, hkv, sq, skv, d = 1, 4, 2, 6, 6, 8
    opts = dict(mask="causal", scale="split", kt="reshape", guard=True, tile=False,
                softcap=False, axis=-1, mask_input=False, bool_mask=False,
                window=None, sinks=0, masked=F32_MIN)
    if case == "decode_offset":
        sq, skv = 2, 7
    elif case == "window_sinks":
        sq = skv = 9
        opts.update(window=3, sinks=1)
    elif case == "long_causal":
        # 1100 x 1100: more than 2^20 mask elements, as a long prefill has.
        sq = skv = 1100
    elif case == "bool_mask":
        opts.update(bool_mask=True)
    elif case == "padding_mask_input":
        opts.update(mask="input", hkv=4)
        hkv = 4
    elif case == "vit_like":
        hkv = hq
        opts.update(mask="where_all_true", kt="transpose")
    elif case == "div_scale":
        hkv = hq
        opts.update(mask="none", scale="div", kt="transpose", guard=False)
    elif case == "negative_softcap":
        opts.update(softcap=True)
    elif case == "tiled_kv":
        opts.update(tile=True)
    elif case == "negative_input_mask_no_guard":
        hkv = hq
        opts.update(mask="input", guard=False)
    elif case == "negative_softmax_axis":
        opts.update(axis=2)
    elif case == "negative_fully_masked_no_guard":
        sq, skv = 4, 3  # query 0 sits before every key: a fully masked row
        opts.update(guard=False, masked=-np.inf)
    elif case != "causal_gqa":
        raise SystemExit(f"unknown case {case}")
    group = hq // hkv
    g = Graph()
    q = g.input("q", [b, hq, sq, d])
    k = g.input("k", [b, hkv, skv, d])
    v = g.input("v", [b, hkv, skv, d])
    kk = repeat_kv(g, k, b, hkv, skv, d, group, opts["tile"])
    vv = repeat_kv(g, v, b, hkv, skv, d, group, opts["tile"])
    if opts["kt"] == "reshape":
        # The dynamo exporter's K^T: Reshape to 3-d, Transpose, Reshape back.
        k3 = g.op("Reshape", kk, g.const([b * hq, skv, d], np.int64))
        kt = g.op("Reshape", g.op("Transpose", k3, perm=[0, 2, 1]),
                  g.const([b, hq, d, skv], np.int64))
    else:
        kt = g.op("Transpose", kk, perm=[0, 1, 3, 2])
    if opts["scale"] == "split":
        c = g.const(d ** -0.25)
        scores = g.op("MatMul", g.op("Mul", q, c), g.op("Mul", kt, c))
    else:
        scores = g.op("Div", g.op("MatMul", q, kt), g.const(np.sqrt(d)))
    if opts["softcap"]:
        cap = g.const(5.0)
        scores = g.op("Mul", g.op("Tanh", g.op("Div", scores, cap)), cap)
    if opts["mask"] == "causal" and opts["bool_mask"]:
        _, vis = causal_mask(sq, skv)
        cond = g.const(vis[None, None], np.bool_)
        scores = g.op("Where", cond, scores, g.const(-np.inf))
    elif opts["mask"] == "causal":
        m, _ = causal_mask(sq, skv, opts["window"], opts["sinks"], opts["masked"])
        scores = g.op("Add", scores, g.const(m))
    elif opts["mask"] == "input":
        scores = g.op("Add", scores, g.input("mask", [b, 1, 1, skv]))
    elif opts["mask"] == "where_all_true":
        cond = g.const(np.ones((1, 1, sq, skv), np.bool_), np.bool_)
        m = g.op("Where", cond, g.const(0.0), g.const(-np.inf))
        scores = g.op("Add", scores, m)
    p = g.op("Softmax", scores, axis=opts["axis"])
    if opts["guard"]:
        p = g.op("Where", g.op("IsNaN", p), g.const(0.0), p)
    out = g.op("MatMul", p, vv)
    return g.model(out, [b, hq, sq, d])


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    onnx.save(build(argv[1]), argv[2])


if __name__ == "__main__":
    main(sys.argv)
