#!/usr/bin/env python3
"""Small ONNX mixture-of-experts blocks, in the two forms exporters emit, for
loom-raise-moe's execution tests.

    python moe_cases.py CASE OUT.onnx [--weights-as-inputs]

The graph takes x [T, H] and returns the MoE output [T, H]. Weights are seeded random
constants. Forms: ``flat`` (HuggingFace batched_mm experts: T*K rows, fused gate/up
table in nn.Linear layout, Clip of the indices, GatherND, reshape to [T,K,H] and
ReduceSum) and ``slot`` (a loop over the k slots: Gather of column s, GatherND,
MatMul with [E, in, out] tables, weighted Adds). Cases starting with ``negative_``
must not be raised. With --weights-as-inputs the router and expert tables are graph
inputs instead of constants (small IR for FileCheck tests).
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

import onnx_graph

T, H, F, E = 5, 8, 12, 4


class Graph(onnx_graph.Graph):
    """With seeded random weights (or weight graph inputs) and int64 constants."""

    def __init__(self, weights_as_inputs=False):
        super().__init__()
        self.rng = np.random.default_rng(0)
        self.weights_as_inputs = weights_as_inputs

    def weight(self, *shape):
        if self.weights_as_inputs:
            return self.input(self.name("w"), list(shape))
        return self.const(self.rng.standard_normal(shape) * 0.3)

    def i64(self, *v):
        return self.const(list(v), np.int64)


def silu(g, x, act):
    if act == "gelu":
        return g.op("Gelu", x)
    return g.op("Mul", x, g.op("Sigmoid", x))


def router(g, x, k, mode, bias):
    wg = g.weight(E, H)
    logits = g.op("Gemm", x, wg, *( [g.weight(E)] if bias else []), transB=1)
    if mode == "topk_softmax":
        vals, idx = g.op("TopK", logits, g.i64(k), n_out=2, axis=-1)
        return g.op("Softmax", vals, axis=-1), idx
    probs = g.op("Softmax", logits, axis=-1)
    vals, idx = g.op("TopK", probs, g.i64(k), n_out=2, axis=-1)
    if mode == "renorm":
        vals = g.op("Div", vals, g.op("ReduceSum", vals, g.i64(-1), keepdims=1))
    return vals, idx


def flat(g, x, k, weights, idx, act):
    """HF batched_mm: rows t*K + s."""
    rows = g.op("Reshape", g.op("Expand", g.op("Unsqueeze", x, g.i64(1)),
                                g.i64(T, k, H)), g.i64(T * k, H))
    ids = g.op("Clip", g.op("Reshape", idx, g.i64(T * k)), g.const(0, np.int64),
               g.const(E - 1, np.int64))
    ids = g.op("Unsqueeze", ids, g.i64(1))
    gate_up = g.weight(E, 2 * F, H)        # nn.Linear layout [E, out, in]
    down = g.weight(E, H, F)
    h = g.op("MatMul", g.op("GatherND", gate_up, ids), g.op("Unsqueeze", rows, g.i64(-1)))
    h = g.op("Squeeze", h, g.i64(-1))
    gate, up = g.op("Split", h, n_out=2, axis=1, num_outputs=2)
    m = g.op("Mul", silu(g, gate, act), up)
    o = g.op("MatMul", g.op("GatherND", down, ids), g.op("Unsqueeze", m, g.i64(-1)))
    o = g.op("Squeeze", o, g.i64(-1))
    o = g.op("Mul", o, g.op("Unsqueeze", g.op("Reshape", weights, g.i64(T * k)),
                            g.i64(-1)))
    return g.op("ReduceSum", g.op("Reshape", o, g.i64(T, k, H)), g.i64(1), keepdims=0)


def slot(g, x, k, weights, idx, act, same_slot=False, swap_weights=False):
    """A loop over slots with [E, in, out] tables."""
    w1, w3, w2 = g.weight(E, H, F), g.weight(E, H, F), g.weight(E, F, H)
    xs = g.op("Unsqueeze", x, g.i64(1))
    acc = g.const(np.zeros((T, H)))
    for s in range(k):
        si = 0 if same_slot else s
        sw = (k - 1 - s) if swap_weights else s
        col = g.op("Unsqueeze", g.op("Gather", idx, g.const(si, np.int64), axis=1),
                   g.i64(1))
        a = g.op("MatMul", xs, g.op("GatherND", w1, col))
        b = g.op("MatMul", xs, g.op("GatherND", w3, col))
        m = g.op("Mul", silu(g, a, act), b)
        o = g.op("Squeeze", g.op("MatMul", m, g.op("GatherND", w2, col)), g.i64(1))
        w = g.op("Unsqueeze", g.op("Gather", weights, g.const(sw, np.int64), axis=1),
                 g.i64(1))
        acc = g.op("Add", acc, g.op("Mul", w, o))
    return acc


CASES = {
    # name: (form, k, router mode, kwargs)
    "flat_renorm": ("flat", 2, "renorm", {}),
    "flat_topk_softmax": ("flat", 2, "topk_softmax", {}),
    "flat_k3_plain": ("flat", 3, "plain", {}),
    "slot_renorm": ("slot", 2, "renorm", {}),
    "slot_plain_k1": ("slot", 1, "plain", {}),
    "negative_router_bias": ("flat", 2, "renorm", {"bias": True}),
    "negative_gelu_experts": ("flat", 2, "renorm", {"act": "gelu"}),
    "negative_same_slot": ("slot", 2, "renorm", {"same_slot": True}),
    "negative_swapped_weights": ("slot", 2, "renorm", {"swap_weights": True}),
}


def build(case, weights_as_inputs=False):
    form, k, mode, kw = CASES[case]
    kw = dict(kw)  # popped below
    g = Graph(weights_as_inputs)
    x = "x"
    weights, idx = router(g, x, k, mode, kw.pop("bias", False))
    act = kw.pop("act", "silu")
    out = (flat if form == "flat" else slot)(g, x, k, weights, idx, act, **kw)
    graph = helper.make_graph(
        g.nodes, case,
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, [T, H])] + g.inputs,
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, [T, H])], g.inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])


def main(argv):
    as_inputs = "--weights-as-inputs" in argv
    argv = [a for a in argv if a != "--weights-as-inputs"]
    if len(argv) != 3 or argv[1] not in CASES:
        sys.exit(f"usage: {argv[0]} {{{','.join(CASES)}}} OUT.onnx "
                 "[--weights-as-inputs]")
    onnx.save(build(argv[1], as_inputs), argv[2])


if __name__ == "__main__":
    main(sys.argv)
