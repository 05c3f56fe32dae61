"""Models with symbolic or unknown input dimensions, for --shape
(test/Frontend/ONNX/shape.test).

Usage: python shape_models.py CASE OUTDIR   writes OUTDIR/CASE.onnx
  value_info  x [batch, ?, 4] (the second dimension has neither a size nor a
              symbol); the graph output [batch, len, 4] and the value_info of
              the intermediate h use the symbols too
  no_shape    x without a shape
  rank1       n [len] (a rank-1 input), x [len, 2]
  initializer a graph input `w` [rows, 3] that an initializer provides
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inputs, outputs, inits=(), value_info=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits),
                              value_info=list(value_info))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    m.ir_version = 8
    return m


def build(case):
    f = lambda name, shape: helper.make_tensor_value_info(
        name, TensorProto.FLOAT, shape)
    if case == "value_info":
        return model([helper.make_node("Relu", ["x"], ["h"]),
                      helper.make_node("Neg", ["h"], ["y"])],
                     [f("x", ["batch", None, 4])], [f("y", ["batch", "len", 4])],
                     value_info=[f("h", ["batch", "len", 4])])
    if case == "no_shape":
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, None)
        return model([helper.make_node("Relu", ["x"], ["y"])], [x],
                     [f("y", None)])
    if case == "rank1":
        return model([helper.make_node("Unsqueeze", ["n", "one"], ["n2"]),
                      helper.make_node("Add", ["x", "n2"], ["y"])],
                     [f("n", ["len"]), f("x", ["len", 2])], [f("y", None)],
                     [numpy_helper.from_array(np.array([1], np.int64), "one")])
    if case == "initializer":
        return model([helper.make_node("Add", ["x", "w"], ["y"])],
                     [f("x", ["rows", 3]), f("w", ["rows", 3])], [f("y", None)],
                     [numpy_helper.from_array(np.ones((2, 3), np.float32), "w")])
    raise SystemExit("unknown case " + case)


if __name__ == "__main__":
    case, out = sys.argv[1:3]
    os.makedirs(out, exist_ok=True)
    onnx.save(build(case), os.path.join(out, case + ".onnx"))
