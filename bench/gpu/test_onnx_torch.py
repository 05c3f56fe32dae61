#!/usr/bin/env python3
"""onnx_torch against onnxruntime, op by op, on CPU (needs torch, onnx,
onnxruntime; runs under pytest or as a script).

The four shared models check the ops they use (run.py's CPU checks); these
small graphs cover the rest of the op table and the builder's cases the models
do not reach: negative Slice steps, opset-18 Split, folded Shape arithmetic,
integer Div, asymmetric Conv padding, broadcast LayerNormalization parameters,
negative Gather indices, multi-output ops, and the errors for what is not
implemented.
"""
import os
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnxruntime = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_torch  # noqa: E402

OPSET = 20
F32, I64 = TensorProto.FLOAT, TensorProto.INT64


def make_model(nodes, inputs, outputs, initializers=()):
    """inputs/outputs: (name, elem_type, shape) triples; shape None: unknown."""
    graph = helper.make_graph(
        nodes, "test",
        [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
        [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs],
        [numpy_helper.from_array(np.asarray(v), n) for n, v in initializers])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("",
                                                                       OPSET)])


def check(model, *arrays, compile=False):
    """Runs `model` through onnx_torch (eager, and compiled if asked) and
    onnxruntime; every output must agree to 1e-5 relative."""
    session = onnxruntime.InferenceSession(model.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    expected = session.run(None, dict(zip(names, arrays)))
    module = onnx_torch.build(model)
    runs = [module]
    if compile:
        runs.append(torch.compile(onnx_torch.build(model)))
    for run in runs:
        with torch.inference_mode():
            got = run(*[torch.from_numpy(a) for a in arrays])
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            g = g.numpy()
            assert g.dtype == e.dtype, (g.dtype, e.dtype)
            assert g.shape == e.shape, (g.shape, e.shape)
            scale = max(1.0, float(np.max(np.abs(e)))) if e.size else 1.0
            assert np.all(np.isfinite(e))
            assert np.allclose(g, e, rtol=0, atol=1e-5 * scale), (g, e)
    return module


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(
        np.float32)


def test_elementwise_and_scalars():
    nodes = [
        helper.make_node("Sub", ["x", "two"], ["a"]),
        helper.make_node("Pow", ["a", "two"], ["b"]),
        helper.make_node("Relu", ["x"], ["c"]),
        helper.make_node("Erf", ["c"], ["d"]),
        helper.make_node("Exp", ["d"], ["e"]),
        helper.make_node("Max", ["b", "e", "x"], ["f"]),
        helper.make_node("Min", ["f", "x"], ["g"]),
        helper.make_node("Equal", ["c", "zero"], ["h"]),
        helper.make_node("Where", ["h", "zero", "g"], ["i"]),
        helper.make_node("Clip", ["i", "", "two"], ["j"]),
        helper.make_node("Abs", ["j"], ["k"]),
        helper.make_node("Add", ["two", "k"], ["l"]),
        helper.make_node("Log", ["l"], ["out"]),
    ]
    model = make_model(nodes, [("x", F32, [3, 4])], [("out", F32, [3, 4])],
                       [("two", np.float32(2.0)), ("zero", np.float32(0.0))])
    module = check(model, rand(3, 4))
    # Rank-0 constants are Python scalars in the generated code.
    assert "self.c" not in module.code


def test_integer_div_cast_and_folded_shape_arithmetic():
    # The exporter's dynamic-shape idiom on a static shape: folded away.
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "one"], ["d1"], axis=0),
        helper.make_node("Div", ["d1", "two"], ["half"]),
        helper.make_node("Unsqueeze", ["half", "zero_axis"], ["half1"]),
        helper.make_node("Concat", ["minus1", "half1"], ["shape"], axis=0),
        helper.make_node("Reshape", ["x", "shape"], ["r"]),
        helper.make_node("ConstantOfShape", ["shape_c"], ["ones"],
                         value=numpy_helper.from_array(np.array([1.0],
                                                                np.float32))),
        helper.make_node("Range", ["start", "limit", "delta"], ["range"]),
        helper.make_node("Cast", ["range"], ["range_f"], to=F32),
        helper.make_node("Add", ["r", "range_f"], ["a"]),
        helper.make_node("Mul", ["a", "ones"], ["out"]),
        helper.make_node("Div", ["xi", "three"], ["out_i"]),
    ]
    model = make_model(
        nodes, [("x", F32, [2, 6]), ("xi", I64, [5])],
        [("out", F32, None), ("out_i", I64, None)],
        [("one", np.int64(1)), ("two", np.int64(2)), ("three", np.int64(3)),
         ("zero_axis", np.array([0], np.int64)),
         ("minus1", np.array([-1], np.int64)),
         ("shape_c", np.array([4, 3], np.int64)),
         ("start", np.int64(0)), ("limit", np.int64(3)), ("delta", np.int64(1))])
    module = check(model, rand(2, 6), np.array([-7, -6, 5, 7, 0], np.int64))
    assert module.folded_nodes >= 8


def test_slice_split_squeeze_and_movement():
    nodes = [
        helper.make_node("Slice", ["x", "starts", "ends", "axes", "steps"],
                         ["s"]),
        helper.make_node("Split", ["s"], ["p0", "p1", "p2"], axis=1,
                         num_outputs=3),
        helper.make_node("Split", ["x", "sizes"], ["q0", "q1"], axis=2),
        helper.make_node("Transpose", ["q1"], ["t"]),
        helper.make_node("Flatten", ["t"], ["f"], axis=2),
        helper.make_node("Unsqueeze", ["p2", "axes_u"], ["u"]),
        helper.make_node("Squeeze", ["u"], ["sq"]),
        helper.make_node("Tile", ["q0", "reps"], ["tile"]),
        helper.make_node("Trilu", ["tile"], ["tri"], upper=0),
        helper.make_node("Expand", ["p0", "eshape"], ["ex"]),
    ]
    model = make_model(
        nodes, [("x", F32, [2, 7, 5])],
        [("p1", F32, None), ("sq", F32, None), ("f", F32, None),
         ("tri", F32, None), ("ex", F32, None)],
        [("starts", np.array([-1, 4], np.int64)),
         ("ends", np.array([-100, 0], np.int64)),
         ("axes", np.array([1, 2], np.int64)),
         ("steps", np.array([-1, -2], np.int64)),
         ("sizes", np.array([2, 3], np.int64)),
         ("axes_u", np.array([0, -1], np.int64)),
         ("reps", np.array([1, 2, 2], np.int64)),
         ("eshape", np.array([3, 1, 1, 1], np.int64))])
    check(model, rand(2, 7, 5), compile=True)


def test_gather_reduce_topk():
    nodes = [
        helper.make_node("Gather", ["x", "idx"], ["g"], axis=1),
        helper.make_node("Gather", ["x", "one"], ["g1"], axis=0),
        helper.make_node("ReduceMax", ["g"], ["rmax"], keepdims=0),
        helper.make_node("ReduceMean", ["g", "axes"], ["rmean"], keepdims=1),
        helper.make_node("TopK", ["g1", "k"], ["values", "indices"], axis=-1),
        helper.make_node("GatherND", ["x", "nd"], ["gnd"]),
        helper.make_node("Softmax", ["g1"], ["sm"], axis=0),
        helper.make_node("LogSoftmax", ["x"], ["lsm"], axis=1),
    ]
    model = make_model(
        nodes, [("x", F32, [3, 6]), ("idx", I64, [2, 2]), ("nd", I64, [4, 1])],
        [("rmax", F32, None), ("rmean", F32, None), ("values", F32, None),
         ("indices", I64, None), ("gnd", F32, None), ("sm", F32, None),
         ("lsm", F32, None)],
        [("one", np.int64(1)), ("axes", np.array([-1], np.int64)),
         ("k", np.array([3], np.int64))])
    check(model, rand(3, 6), np.array([[0, -1], [5, -6]], np.int64),
          np.array([[2], [0], [-1], [1]], np.int64))


def test_gemm_conv_layer_norm():
    nodes = [
        helper.make_node("Gemm", ["a", "b", "c"], ["gemm"], alpha=0.5,
                         beta=2.0, transA=1),
        helper.make_node("Conv", ["img", "w", "bias"], ["conv"],
                         pads=[1, 0, 0, 2], strides=[2, 1], dilations=[1, 2],
                         group=2, kernel_shape=[3, 3]),
        helper.make_node("LayerNormalization", ["ln_x", "scale", "ln_b"],
                         ["ln"], axis=-2, epsilon=1e-5),
        helper.make_node("Gelu", ["ln"], ["gelu"], approximate="tanh"),
        helper.make_node("Sigmoid", ["gelu"], ["sig"]),
        helper.make_node("Tanh", ["sig"], ["tanh"]),
    ]
    model = make_model(
        nodes, [("a", F32, [5, 3]), ("img", F32, [1, 4, 9, 8]),
                ("ln_x", F32, [2, 3, 4])],
        [("gemm", F32, None), ("conv", F32, None), ("tanh", F32, None)],
        [("b", rand(5, 6, seed=1)), ("c", rand(3, 1, seed=2)),
         ("w", rand(6, 2, 3, 3, seed=3)), ("bias", rand(6, seed=4)),
         ("scale", rand(1, 4, seed=5)), ("ln_b", rand(4, seed=6))])
    check(model, rand(5, 3), rand(1, 4, 9, 8, seed=7), rand(2, 3, 4, seed=8))


def test_constant_node_and_identity():
    nodes = [
        helper.make_node("Constant", [], ["k"], value_floats=[1.0, 2.0, 3.0]),
        helper.make_node("Constant", [], ["s"], value_ints=[3, 1]),
        helper.make_node("Reshape", ["k", "s"], ["ks"]),
        helper.make_node("Identity", ["x"], ["xi"]),
        helper.make_node("Mul", ["xi", "ks"], ["out"]),
    ]
    model = make_model(nodes, [("x", F32, [3, 2])], [("out", F32, None)])
    check(model, rand(3, 2))


def test_unsupported_op_is_named():
    node = helper.make_node("NonMaxSuppression", ["x", "y"], ["out"])
    model = make_model([node], [("x", F32, [1, 1, 4]), ("y", F32, [1, 1, 1])],
                       [("out", I64, None)])
    with pytest.raises(onnx_torch.UnsupportedOnnxError,
                       match="NonMaxSuppression"):
        onnx_torch.build(model)
    assert onnx_torch.unsupported_ops(model) == ["NonMaxSuppression"]


def test_dynamic_shape_input_is_rejected():
    node = helper.make_node("Reshape", ["x", "shape"], ["out"])
    model = make_model([node], [("x", F32, [6]), ("shape", I64, [2])],
                       [("out", F32, None)])
    with pytest.raises(onnx_torch.UnsupportedOnnxError, match="constant"):
        onnx_torch.build(model)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
