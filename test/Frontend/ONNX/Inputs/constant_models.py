"""Models for max-constant-bytes.test: each makes one constant of a known
size in a different place of the importer.

Usage: python constant_models.py CASE OUTDIR   -> writes OUTDIR/CASE.onnx
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inits=(), inputs=(), y_type=TensorProto.FLOAT):
    g = helper.make_graph(nodes, "g", list(inputs),
                          [helper.make_tensor_value_info("y", y_type, None)],
                          initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 20)])
    m.ir_version = 9
    return m


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def floats(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.float32), name)


def constant_of_shape(n):
    return model([helper.make_node(
        "ConstantOfShape", ["shape"], ["y"], name="fill",
        value=helper.make_tensor("value", TensorProto.FLOAT, [1], [1.5]))],
        [ints("shape", [n])])


def cases():
    # 2^39 floats: 2 TiB, never allocated.
    yield "constant_of_shape_2p39", constant_of_shape(1 << 39)
    # 1000 floats: 4000 bytes in each of the following.
    yield "constant_of_shape_1000", constant_of_shape(1000)
    yield "range_1000", model(
        [helper.make_node("Range", ["start", "limit", "delta"], ["y"],
                          name="range")],
        [floats("start", 0.0), floats("limit", 1000.0), floats("delta", 1.0)])
    yield "expand_1000", model(
        [helper.make_node("Expand", ["one", "shape"], ["y"], name="expand")],
        [floats("one", [1.0]), ints("shape", [1000])])
    yield "tile_1000", model(
        [helper.make_node("Tile", ["ten", "repeats"], ["y"], name="tile")],
        [floats("ten", np.arange(10)), ints("repeats", [100])])
    # Integer arithmetic on constants is folded: [10] + [50, 1] int64
    # initializers (80 and 400 bytes) broadcast to [50, 10].
    yield "folded_add_1000", model(
        [helper.make_node("Add", ["a", "b"], ["y"], name="add")],
        [ints("a", np.arange(10)), ints("b", np.arange(50).reshape(50, 1))],
        y_type=TensorProto.INT64)
    yield "initializer_1000", model(
        [helper.make_node("Add", ["x", "w"], ["y"], name="add")],
        [floats("w", np.arange(1000))],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1000])])


def main():
    case, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for name, m in cases():
        if name == case:
            with open(os.path.join(out, case + ".onnx"), "wb") as f:
                f.write(m.SerializeToString())
            return
    sys.exit("unknown case " + case)


if __name__ == "__main__":
    main()
