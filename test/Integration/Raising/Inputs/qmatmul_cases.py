#!/usr/bin/env python3
"""Weight-only int8 MatMuls in the forms ONNX files carry them, for
loom-raise-qmatmul's execution and end-to-end tests.

    python qmatmul_cases.py CASE OUTDIR

Writes OUTDIR/CASE.onnx (one float graph input "x", one output "y"),
OUTDIR/CASE_x.npy (seeded random x) and OUTDIR/CASE_ref.npy: onnxruntime's y
with graph optimizations off, so that it dequantizes exactly and runs an f32
MatMul (its MatMulNBits fusion would also quantize the activations). Cases
starting with ``negative_`` must not be raised.
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

import onnx_graph

K, N = 64, 24


def model(g, x_shape, y, opset):
    assert g.nodes[-1].output[0] == y
    g.nodes[-1].output[0] = "y"
    graph = helper.make_graph(
        g.nodes, "qmatmul", g.inputs,
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, x_shape[:-1] + [N])],
        g.inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 10
    onnx.checker.check_model(m)
    return m


def cases(rng):
    i8 = rng.integers(-128, 128, size=(K, N), dtype=np.int8)
    u8 = rng.integers(0, 256, size=(K, N), dtype=np.uint8)
    scale = lambda *s: (rng.random(s) * 0.02 + 1e-3).astype(np.float32)

    # DequantizeLinear per axis (output channels), int8 with zero points, on a
    # [B,S,K] activation (the importer folds B*S into the matmul's rows).
    g = onnx_graph.Graph()
    x = g.input("x", [2, 3, K])
    w = g.op("DequantizeLinear", g.const(i8, np.int8), g.const(scale(N)),
             g.const(rng.integers(-20, 20, size=N), np.int8), axis=1)
    yield "dq_per_axis", model(g, [2, 3, K], g.op("MatMul", x, w), 13)

    # DequantizeLinear blocked along K (opset 21, block_size 16), symmetric.
    g = onnx_graph.Graph()
    x = g.input("x", [5, K])
    w = g.op("DequantizeLinear", g.const(i8, np.int8), g.const(scale(K // 16, N)),
             axis=0, block_size=16)
    yield "dq_blocked", model(g, [5, K], g.op("MatMul", x, w), 21)

    # DequantizeLinear per tensor, uint8 with a zero point (stored as q - 128).
    g = onnx_graph.Graph()
    x = g.input("x", [4, K])
    w = g.op("DequantizeLinear", g.const(u8, np.uint8), g.const(np.float32(0.013)),
             g.const(np.uint8(131), np.uint8))
    yield "dq_per_tensor_u8", model(g, [4, K], g.op("MatMul", x, w), 13)

    # Mul(Cast(q, to=float), scale[1,N]): what a file without DequantizeLinear
    # carries (the bench's old Loom form).
    g = onnx_graph.Graph()
    x = g.input("x", [4, K])
    w = g.op("Mul", g.op("Cast", g.const(i8, np.int8), to=TensorProto.FLOAT),
             g.const(scale(1, N)))
    yield "cast_mul", model(g, [4, K], g.op("MatMul", x, w), 20)

    # Mul(scale, Sub(Cast(q), Cast(zp))) with uint8 codes and zero points:
    # three generics, the scale first.
    g = onnx_graph.Graph()
    x = g.input("x", [4, K])
    zp = g.op("Cast", g.const(rng.integers(100, 156, size=N), np.uint8),
              to=TensorProto.FLOAT)
    code = g.op("Cast", g.const(u8, np.uint8), to=TensorProto.FLOAT)
    w = g.op("Mul", g.const(scale(N)), g.op("Sub", code, zp))
    yield "cast_sub_mul_u8", model(g, [4, K], g.op("MatMul", x, w), 20)

    # A scale that varies along K with no block structure: not a qmatmul.
    g = onnx_graph.Graph()
    x = g.input("x", [4, K])
    w = g.op("Mul", g.op("Cast", g.const(i8, np.int8), to=TensorProto.FLOAT),
             g.const(scale(K, N)))
    yield "negative_scale_along_k", model(g, [4, K], g.op("MatMul", x, w), 20)


def main():
    case, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    m = dict(cases(np.random.default_rng(5)))[case]
    path = os.path.join(out, case + ".onnx")
    onnx.save(m, path)
    shape = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]
    x = np.random.default_rng(6).uniform(-1, 1, shape).astype(np.float32)
    np.save(os.path.join(out, case + "_x.npy"), x)
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    np.save(os.path.join(out, case + "_ref.npy"), sess.run(None, {"x": x})[0])


if __name__ == "__main__":
    main()
