"""Writes an ONNX model whose output is ConstantOfShape([ROWS, COLS], 1.0f).

    constant_of_shape.py OUT.onnx ROWS COLS"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

path, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
shape = numpy_helper.from_array(np.array([rows, cols], dtype=np.int64), "shape")
node = helper.make_node(
    "ConstantOfShape", ["shape"], ["y"],
    value=helper.make_tensor("value", TensorProto.FLOAT, [1], [1.0]))
graph = helper.make_graph(
    [node], "constant_of_shape", [],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [rows, cols])],
    [shape])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
          path)
