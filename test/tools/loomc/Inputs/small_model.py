"""A small ONNX model with two inputs of different dtypes and three outputs,
one of them with a name that is neither a file name nor a C identifier, plus
onnxruntime references.

Usage: python small_model.py OUTDIR
  OUTDIR/small.onnx
  OUTDIR/x.npy, OUTDIR/ids.npy             seeded random inputs
  OUTDIR/ref_y.npy, ref_emb.npy, ref_sum.npy   onnxruntime's outputs on them
  OUTDIR/c_ref_{y,emb,sum}.npy             onnxruntime's outputs on the inputs
                                           call_model.c computes itself
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

OUTPUTS = ["y", "emb/out:0", "sum"]


def build(rng):
    w = lambda *s: rng.standard_normal(s).astype(np.float32)
    inits = [numpy_helper.from_array(w(4), "scale"),
             numpy_helper.from_array(w(4, 5), "W"),
             numpy_helper.from_array(w(5), "b"),
             numpy_helper.from_array(w(10, 4), "E"),
             numpy_helper.from_array(np.array([2], np.int64), "axes")]
    nodes = [helper.make_node("Mul", ["x", "scale"], ["xs"]),
             helper.make_node("MatMul", ["xs", "W"], ["mm"]),
             helper.make_node("Add", ["mm", "b"], ["a"]),
             helper.make_node("Relu", ["a"], ["y"]),
             helper.make_node("Gather", ["E", "ids"], ["emb/out:0"], axis=0),
             helper.make_node("ReduceSum", ["x", "axes"], ["sum"], keepdims=0)]
    graph = helper.make_graph(
        nodes, "small",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4]),
         helper.make_tensor_value_info("ids", TensorProto.INT64, [3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3, 5]),
         helper.make_tensor_value_info("emb/out:0", TensorProto.FLOAT, [3, 4]),
         helper.make_tensor_value_info("sum", TensorProto.FLOAT, [2, 3])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def c_inputs():
    """The inputs call_model.c fills in: keep the two in sync."""
    i = np.arange(24)
    x = (((i * 37) % 17) / 8.0 - 1.0).astype(np.float32).reshape(2, 3, 4)
    return x, np.array([7, 0, 3], np.int64)


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    model = build(rng)
    path = os.path.join(out, "small.onnx")
    onnx.save(model, path)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    ids = np.array([9, 2, 2], np.int64)
    np.save(os.path.join(out, "x.npy"), x)
    np.save(os.path.join(out, "ids.npy"), ids)
    for prefix, (xv, iv) in [("ref_", (x, ids)), ("c_ref_", c_inputs())]:
        results = session.run(OUTPUTS, {"x": xv, "ids": iv})
        for short, value in zip(["y", "emb", "sum"], results):
            np.save(os.path.join(out, prefix + short + ".npy"), value)


if __name__ == "__main__":
    main(sys.argv[1])
