#!/usr/bin/env python3
"""A model with unsigned-integer graph inputs and outputs, for the ABI's dtypes.

    python unsigned_model.py OUTDIR

writes OUTDIR/u8.onnx (y = uint8(x) + 3 and f = float(x) * 0.5 on a uint8 input,
with its input and onnxruntime outputs as x.npy, y.npy, f.npy) and OUTDIR/u16.onnx
(the same on uint16: not an ABI type).
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper


def model(elem, np_type):
    nodes = [
        helper.make_node("Add", ["x", "three"], ["y"]),
        helper.make_node("Cast", ["x"], ["xf"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["xf", "half"], ["f"]),
    ]
    g = helper.make_graph(
        nodes, "unsigned", [helper.make_tensor_value_info("x", elem, [2, 5])],
        [helper.make_tensor_value_info("y", elem, [2, 5]),
         helper.make_tensor_value_info("f", TensorProto.FLOAT, [2, 5])],
        [numpy_helper.from_array(np.array(3, np_type), "three"),
         numpy_helper.from_array(np.array(0.5, np.float32), "half")])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 20)])


def main(out):
    os.makedirs(out, exist_ok=True)
    m = model(TensorProto.UINT8, np.uint8)
    onnx.save(m, os.path.join(out, "u8.onnx"))
    # Values above 127 are where a signed reading would go wrong.
    x = np.array([[0, 1, 127, 128, 200], [250, 252, 253, 254, 255]], np.uint8)
    y, f = ort.InferenceSession(m.SerializeToString()).run(None, {"x": x})
    np.save(os.path.join(out, "x.npy"), x)
    np.save(os.path.join(out, "y.npy"), y)
    np.save(os.path.join(out, "f.npy"), f)
    onnx.save(model(TensorProto.UINT16, np.uint16), os.path.join(out, "u16.onnx"))


if __name__ == "__main__":
    main(sys.argv[1])
