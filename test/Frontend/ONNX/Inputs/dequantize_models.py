"""DequantizeLinear models: valid ones with onnxruntime references, invalid ones
for the importer's diagnostics.

Usage: python dequantize_models.py CASE OUTDIR
  writes OUTDIR/CASE.onnx; for a valid case also OUTDIR/CASE_in0.npy and
  OUTDIR/CASE_ref0.npy (onnxruntime on the CPU).

Every valid model computes y = DequantizeLinear(q, scale[, zero_point]) + t
with q, scale and zero point initializers (uint types cannot be bound by
loom-run) and t a float graph input, so the dequantized values reach the
output through one exact-in-both addition.
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper


def dq(q, scale, zero_point=None, opset=21, scale_type=np.float32, **attrs):
    """y = DQ(q, scale, zp) + t."""
    inits = [numpy_helper.from_array(q, "q"),
             numpy_helper.from_array(np.asarray(scale, scale_type), "s")]
    names = ["q", "s"]
    if zero_point is not None:
        inits.append(numpy_helper.from_array(np.asarray(zero_point, q.dtype), "z"))
        names.append("z")
    elem = helper.np_dtype_to_tensor_dtype(np.dtype(scale_type))
    nodes = [helper.make_node("DequantizeLinear", names, ["w"], name="dq", **attrs),
             helper.make_node("Add", ["w", "t"], ["y"], name="add")]
    g = helper.make_graph(nodes, "dq", [helper.make_tensor_value_info("t", elem, q.shape)],
                          [helper.make_tensor_value_info("y", elem, q.shape)], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 9 if opset < 21 else 10
    return m


def ql(t_shape, scale, zero_point=None, opset=21, **attrs):
    """y = QuantizeLinear(t, scale, zp) with t a float graph input."""
    inits = [numpy_helper.from_array(np.asarray(scale, np.float32), "s")]
    names = ["t", "s"]
    elem = TensorProto.UINT8
    if zero_point is not None:
        inits.append(numpy_helper.from_array(zero_point, "z"))
        names.append("z")
        elem = helper.np_dtype_to_tensor_dtype(zero_point.dtype)
    nodes = [helper.make_node("QuantizeLinear", names, ["y"], name="ql", **attrs)]
    g = helper.make_graph(nodes, "ql",
                          [helper.make_tensor_value_info("t", TensorProto.FLOAT, t_shape)],
                          [helper.make_tensor_value_info("y", elem, t_shape)], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 9 if opset < 21 else 10
    return m


def valid(rng):
    i8 = lambda *s: rng.integers(-128, 128, size=s, dtype=np.int8)
    u8 = lambda *s: rng.integers(0, 256, size=s, dtype=np.uint8)
    pos = lambda *s: (rng.random(s) * 0.1 + 1e-3).astype(np.float32)
    # Opset 10: per tensor only; uint8 with a zero point.
    yield "per_tensor_u8_opset10", dq(u8(3, 5), np.float32(0.037), np.uint8(131), opset=10)
    # Per axis with a negative axis (the middle one) on a 3-D tensor.
    yield "per_axis_i8_negative_axis", dq(i8(2, 4, 3), pos(4), i8(4), opset=13, axis=-2)
    # int32 (bias-style) per tensor, no zero point, magnitudes beyond 2^24.
    yield "per_tensor_i32", dq(rng.integers(-2**30, 2**30, size=(6,), dtype=np.int32),
                               np.float32(1e-6), opset=13)
    # Blocked along K (axis 0): the int8 weight layout of a blocked int8 MatMul.
    yield "blocked_i8_axis0", dq(i8(8, 6), pos(2, 6), i8(2, 6), block_size=4, axis=0)
    # Blocked with a block size that does not divide the axis (ceil(10/4) = 3
    # blocks, the last one short).
    yield "blocked_u8_partial", dq(u8(4, 10), pos(4, 3), u8(4, 3), block_size=4, axis=1)
    # int16 / uint16 (opset 21).
    yield "per_axis_i16", dq(rng.integers(-2**15, 2**15, size=(4, 4), dtype=np.int16),
                             pos(4), rng.integers(-300, 300, size=(4,), dtype=np.int16),
                             axis=1)
    yield "per_tensor_u16", dq(rng.integers(0, 2**16, size=(3, 4), dtype=np.uint16),
                               np.float32(3e-4), np.uint16(40000))
    # float16 scale: the result is float16.
    # QuantizeLinear: per axis to int8 with zero points (saturating), per tensor
    # to the default uint8, blocked to int16.
    yield "quantize_per_axis_i8", ql([3, 4], pos(4) * 0.5 + 0.02, i8(4), opset=13, axis=1)
    yield "quantize_per_tensor_u8", ql([5, 3], np.float32(0.02), opset=13)
    yield "quantize_blocked_i16", ql([4, 6], pos(4, 2) * 1e-2 + 1e-4,
                                     rng.integers(-999, 999, size=(4, 2), dtype=np.int16),
                                     axis=1, block_size=3)
    yield "per_axis_f16", dq(i8(3, 4), pos(4).astype(np.float16), i8(4), opset=19,
                             scale_type=np.float16, axis=1)


def invalid():
    q = np.arange(24, dtype=np.int8).reshape(4, 6)
    s6 = np.full(6, 0.5, np.float32)
    # A float x.
    yield "float_input", dq(q.astype(np.float32), np.float32(0.5))
    # The zero point's type differs from x's (int8 vs uint8).
    m = dq(q, s6, np.zeros(6, np.int8), axis=1)
    m.graph.initializer[2].CopyFrom(numpy_helper.from_array(np.zeros(6, np.uint8), "z"))
    yield "zero_point_type", m
    # The zero point's shape differs from the scale's.
    m = dq(q, s6, np.zeros(6, np.int8), axis=1)
    m.graph.initializer[2].CopyFrom(numpy_helper.from_array(np.zeros(3, np.int8), "z"))
    yield "zero_point_shape", m
    # Per axis: 6 scales for an axis of 4.
    yield "per_axis_size", dq(q, s6, axis=0)
    # Axis out of range.
    yield "axis_range", dq(q, s6, axis=2)
    # A 2-D scale without block_size.
    yield "scale_rank", dq(q, np.ones((2, 6), np.float32), axis=0)
    # Blocked: 4 rows in blocks of 3 need ceil(4/3) = 2 scale rows, not 1.
    yield "blocked_shape", dq(q, np.ones((1, 6), np.float32), axis=0, block_size=3)
    # Blocked scale of another rank than x.
    yield "blocked_rank", dq(q, np.ones(6, np.float32), axis=0, block_size=2)
    # Negative block size.
    yield "block_size_negative", dq(q, np.ones((2, 6), np.float32), axis=0,
                                    block_size=-2)
    # An integer scale.
    yield "integer_scale", dq(q, np.int32(2), scale_type=np.int32)
    # QuantizeLinear: an output_dtype Loom cannot represent (INT4).
    yield "quantize_output_dtype_int4", ql([4, 6], np.float32(0.5), output_dtype=22)
    # QuantizeLinear: an integer x; an int32 output (zero point); a zero point
    # shaped unlike the scale; an axis out of range; a negative block size.
    m = ql([4, 6], np.float32(0.5))
    m.graph.input[0].type.tensor_type.elem_type = TensorProto.INT32
    yield "quantize_integer_input", m
    yield "quantize_int32_output", ql([4, 6], np.float32(0.5), np.int32(3))
    yield "quantize_zero_point_shape", ql([4, 6], s6, np.zeros(3, np.int8), axis=1)
    yield "quantize_axis_range", ql([4, 6], s6, axis=-3)
    yield "quantize_block_size_negative", ql([4, 6], np.ones((4, 3), np.float32),
                                             axis=1, block_size=-2)
    # int4 (TensorProto.INT4 = 22) whose packed data is too short: 4x6 codes
    # need 12 bytes. (Valid int4 models: quantized-matmul.test.)
    m = dq(q, np.float32(0.5))
    t = m.graph.initializer[0]
    t.data_type = 22
    t.raw_data = bytes(5)
    yield "int4_input", m


def main():
    case, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, case + ".onnx")
    ok = dict(valid(np.random.default_rng(7)))
    if case in ok:
        m = ok[case]
        onnx.checker.check_model(m)
        onnx.save(m, path)
        t_info = m.graph.input[0].type.tensor_type
        shape = [d.dim_value for d in t_info.shape.dim]
        dtype = helper.tensor_dtype_to_np_dtype(t_info.elem_type)
        t = (np.random.default_rng(8).standard_normal(shape) * 3).astype(dtype)
        np.save(os.path.join(out, case + "_in0.npy"), t)
        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        np.save(os.path.join(out, case + "_ref0.npy"), sess.run(None, {"t": t})[0])
        return
    m = dict(invalid())[case]
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


if __name__ == "__main__":
    main()
