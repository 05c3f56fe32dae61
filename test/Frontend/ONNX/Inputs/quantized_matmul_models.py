"""Quantized matmul models (MatMulInteger, ConvInteger, DynamicQuantizeLinear,
com.microsoft MatMulNBits and GatherBlockQuantized, int4 DequantizeLinear):
valid ones with onnxruntime references, invalid ones for the importer's
diagnostics.

Usage: python quantized_matmul_models.py CASE|all OUTDIR
  writes OUTDIR/CASE.onnx (`all`: every case's); for a valid case also OUTDIR/CASE_in<i>.npy and
  OUTDIR/CASE_ref<i>.npy (onnxruntime on the CPU, on the same file).

loom-run binds no unsigned inputs, so uint8 operands come from an int32
graph input through Cast (values in [0, 255]).
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto as T, helper, numpy_helper

MS = "com.microsoft"


def model(nodes, inputs, outputs, inits, opset=21, ms=False):
    g = helper.make_graph(nodes, "q", inputs, outputs, inits)
    ops = [helper.make_opsetid("", opset)]
    if ms:
        ops.append(helper.make_opsetid(MS, 1))
    m = helper.make_model(g, opset_imports=ops)
    m.ir_version = 10
    return m


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


# --- MatMulInteger / DynamicQuantizeLinear ----------------------------------

def matmul_integer(rng, a_shape, n, a_unsigned, b_unsigned, a_zp=None,
                   b_zp=None):
    """Y = MatMulInteger(A, B[, a_zp, b_zp]); A from an int32 input."""
    k = a_shape[-1]
    bt = np.uint8 if b_unsigned else np.int8
    lo, hi = (0, 256) if b_unsigned else (-128, 128)
    w = rng.integers(lo, hi, size=(k, n)).astype(bt)
    inits = [numpy_helper.from_array(w, "b")]
    nodes = [helper.make_node("Cast", ["a32"], ["a"],
                              to=T.UINT8 if a_unsigned else T.INT8,
                              name="cast")]
    names = ["a", "b"]
    if a_zp is not None or b_zp is not None:
        at = np.uint8 if a_unsigned else np.int8
        inits.append(numpy_helper.from_array(
            np.asarray(a_zp if a_zp is not None else 0, at), "azp"))
        names.append("azp")
    if b_zp is not None:
        inits.append(numpy_helper.from_array(np.asarray(b_zp, bt), "bzp"))
        names.append("bzp")
    nodes.append(helper.make_node("MatMulInteger", names, ["y"], name="mmi"))
    out = list(a_shape[:-1]) + [n]
    m = model(nodes, [vi("a32", T.INT32, a_shape)], [vi("y", T.INT32, out)],
              inits, opset=20)
    lo, hi = (0, 256) if a_unsigned else (-128, 128)
    return m, [rng.integers(lo, hi, size=a_shape).astype(np.int32)]


def dynamic_quantize(rng, x):
    nodes = [helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"],
                              name="dql")]
    m = model(nodes, [vi("x", T.FLOAT, x.shape)],
              [vi("y", T.UINT8, x.shape), vi("s", T.FLOAT, []),
               vi("z", T.UINT8, [])], [], opset=20)
    return m, [x]


def dynamic_matmul(rng):
    """What quantize_dynamic makes of x @ W: DQL, MatMulInteger, Cast, Mul."""
    k, n = 48, 20
    w = rng.integers(-127, 128, size=(k, n)).astype(np.int8)
    ws = np.float32(0.02)
    inits = [numpy_helper.from_array(w, "w"),
             numpy_helper.from_array(np.asarray(ws, np.float32), "ws"),
             numpy_helper.from_array(np.asarray(0, np.int8), "wz")]
    nodes = [
        helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"],
                         name="dql"),
        helper.make_node("MatMulInteger", ["xq", "w", "xz", "wz"], ["acc"],
                         name="mmi"),
        helper.make_node("Cast", ["acc"], ["accf"], to=T.FLOAT, name="cast"),
        helper.make_node("Mul", ["xs", "ws"], ["scale"], name="scale"),
        helper.make_node("Mul", ["accf", "scale"], ["y"], name="mul"),
    ]
    m = model(nodes, [vi("x", T.FLOAT, [3, 7, k])], [vi("y", T.FLOAT, [3, 7, n])],
              inits, opset=20)
    return m, [rng.standard_normal((3, 7, k)).astype(np.float32)]


def matmul_integer_to_float(rng, per_column):
    """com.microsoft MatMulIntegerToFloat(A u8, B i8, a_scale, b_scale, a_zp,
    b_zp, bias): A from an int32 input."""
    k, n = 40, 10
    w = rng.integers(-127, 128, size=(k, n)).astype(np.int8)
    bs = (rng.random(n if per_column else ()) * 0.02 + 0.005).astype(np.float32)
    inits = [numpy_helper.from_array(w, "b"),
             numpy_helper.from_array(np.asarray(0.031, np.float32), "as"),
             numpy_helper.from_array(np.asarray(bs, np.float32), "bs"),
             numpy_helper.from_array(np.asarray(117, np.uint8), "az"),
             numpy_helper.from_array(
                 np.asarray(rng.integers(-3, 3, size=n) if per_column else 2,
                            np.int8), "bz"),
             numpy_helper.from_array(rng.standard_normal(n).astype(np.float32),
                                     "bias")]
    nodes = [helper.make_node("Cast", ["a32"], ["a"], to=T.UINT8, name="cast"),
             helper.make_node("MatMulIntegerToFloat",
                              ["a", "b", "as", "bs", "az", "bz", "bias"], ["y"],
                              name="mitf", domain=MS)]
    m = model(nodes, [vi("a32", T.INT32, [2, 3, k])],
              [vi("y", T.FLOAT, [2, 3, n])], inits, opset=20, ms=True)
    return m, [rng.integers(0, 256, size=(2, 3, k)).astype(np.int32)]


def dynamic_quantize_matmul(rng):
    """com.microsoft DynamicQuantizeMatMul(A f32, B i8, b_scale, b_zp, bias)."""
    k, n = 48, 12
    w = rng.integers(-127, 128, size=(k, n)).astype(np.int8)
    inits = [numpy_helper.from_array(w, "b"),
             numpy_helper.from_array(np.asarray(0.013, np.float32), "bs"),
             numpy_helper.from_array(np.asarray(0, np.int8), "bz"),
             numpy_helper.from_array(rng.standard_normal(n).astype(np.float32),
                                     "bias")]
    nodes = [helper.make_node("DynamicQuantizeMatMul",
                              ["a", "b", "bs", "bz", "bias"], ["y"],
                              name="dqmm", domain=MS)]
    m = model(nodes, [vi("a", T.FLOAT, [5, k])], [vi("y", T.FLOAT, [5, n])],
              inits, opset=20, ms=True)
    return m, [rng.standard_normal((5, k)).astype(np.float32)]


def conv_integer(rng, w_unsigned, w_zp, x_zp=7, bad_zp=False):
    """Y = ConvInteger(Cast(x32) as uint8, W, x_zp, w_zp), 2-D, pads 1,
    stride 2 (what quantize_dynamic makes of a Conv)."""
    wt = np.uint8 if w_unsigned else np.int8
    lo, hi = (0, 256) if w_unsigned else (-128, 128)
    w = rng.integers(lo, hi, size=(4, 3, 3, 3)).astype(wt)
    inits = [numpy_helper.from_array(w, "w"),
             numpy_helper.from_array(np.asarray(x_zp if not bad_zp
                                                else [x_zp, x_zp], np.uint8),
                                     "xz"),
             numpy_helper.from_array(np.asarray(w_zp, wt), "wz")]
    nodes = [helper.make_node("Cast", ["x32"], ["x"], to=T.UINT8, name="cast"),
             helper.make_node("ConvInteger", ["x", "w", "xz", "wz"], ["y"],
                              name="convi", pads=[1, 1, 1, 1], strides=[2, 2])]
    m = model(nodes, [vi("x32", T.INT32, [1, 3, 9, 9])],
              [vi("y", T.INT32, [1, 4, 5, 5])], inits, opset=20)
    return m, [rng.integers(0, 256, size=(1, 3, 9, 9)).astype(np.int32)]


# --- MatMulNBits -------------------------------------------------------------

def nbits(rng, lead, k, n, bits=4, block=32, zp="none", bias=False,
          dtype=np.float32, g_idx=False, b_input=False, attrs=None):
    """Y = MatMulNBits(A, B, scales[, zero_points][, g_idx][, bias]) with
    random codes; zp is "none", "packed" or "float"."""
    blocks = -(-k // block)
    blob = block * bits // 8
    elem = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    codes = rng.integers(0, 256, size=(n, blocks, blob)).astype(np.uint8)
    scales = (rng.random((n, blocks)) * 0.05 + 0.01).astype(dtype)
    inits = [numpy_helper.from_array(scales, "s")]
    if not b_input:
        inits.append(numpy_helper.from_array(codes, "b"))
    names = ["a", "b", "s"]
    if zp == "packed":
        per = 8 // bits
        z = rng.integers(0, 256, size=(n, -(-blocks // per))).astype(np.uint8)
        inits.append(numpy_helper.from_array(z, "z"))
        names.append("z")
    elif zp in ("float", "float_bad"):
        z = rng.integers(0, 2 ** bits, size=(n, blocks)).astype(dtype)
        if zp == "float_bad":
            z[0, 0] = 0.5
        inits.append(numpy_helper.from_array(z, "z"))
        names.append("z")
    if g_idx or bias:
        if len(names) == 3:
            names.append("")
        if g_idx:
            inits.append(numpy_helper.from_array(
                (np.arange(k) // block).astype(np.int32), "g"))
        names.append("g" if g_idx else "")
    if bias:
        inits.append(numpy_helper.from_array(
            rng.standard_normal(n).astype(dtype), "bias"))
        names.append("bias")
    a = dict(K=k, N=n, bits=bits, block_size=block)
    a.update(attrs or {})
    nodes = [helper.make_node("MatMulNBits", names, ["y"], name="nbits",
                              domain=MS, **a)]
    inputs = [vi("a", elem, list(lead) + [k])]
    if b_input:
        inputs.append(vi("b", T.UINT8, [n, blocks, blob]))
    m = model(nodes, inputs, [vi("y", elem, list(lead) + [n])], inits,
              ms=True)
    return m, [rng.standard_normal(list(lead) + [k]).astype(dtype)]


# --- GatherBlockQuantized and int4 DequantizeLinear --------------------------

def int4_tensor(name, codes, signed):
    """An INT4/UINT4 initializer from codes (two per byte, low first)."""
    flat = (codes.astype(np.int64).ravel() & 0xF).astype(np.uint8)
    if flat.size % 2:
        flat = np.append(flat, 0)
    packed = (flat[0::2] | (flat[1::2] << 4)).astype(np.uint8)
    return helper.make_tensor(name, T.INT4 if signed else T.UINT4, codes.shape,
                              packed.tobytes(), raw=True)


def gather_bq(rng, signed, with_zp, vocab=40, dim=64, block=32, idx_shape=(2, 5)):
    lo, hi = (-8, 8) if signed else (0, 16)
    data = rng.integers(lo, hi, size=(vocab, dim))
    scales = (rng.random((vocab, dim // block)) * 0.1 + 0.01).astype(np.float32)
    inits = [int4_tensor("data", data, signed),
             numpy_helper.from_array(scales, "s")]
    names = ["data", "idx", "s"]
    if with_zp:
        inits.append(int4_tensor("z", rng.integers(lo, hi, size=scales.shape),
                                 signed))
        names.append("z")
    nodes = [helper.make_node("GatherBlockQuantized", names, ["y"], name="gbq",
                              domain=MS, gather_axis=0, quantize_axis=1,
                              block_size=block)]
    m = model(nodes, [vi("idx", T.INT64, list(idx_shape))],
              [vi("y", T.FLOAT, list(idx_shape) + [dim])], inits, ms=True)
    return m, [rng.integers(0, vocab, size=idx_shape).astype(np.int64)]


def gather_bq_packed(rng, with_zp, quantize_axis=1, vocab=24, dim=64,
                     block=32):
    """GatherBlockQuantized of uint8 data holding two 4-bit codes per byte
    along the last axis (bits = 4); zero points packed the same way."""
    codes = rng.integers(0, 16, size=(vocab, dim))
    pack = lambda c: (c[:, 0::2] | (c[:, 1::2] << 4)).astype(np.uint8)
    blocks = dim // block
    scales = (rng.random((vocab, blocks)) * 0.1 + 0.01).astype(np.float32)
    inits = [numpy_helper.from_array(pack(codes), "data"),
             numpy_helper.from_array(scales, "s")]
    names = ["data", "idx", "s"]
    if with_zp:
        z = rng.integers(0, 16, size=(vocab, blocks))
        inits.append(numpy_helper.from_array(pack(z), "z"))
        names.append("z")
    nodes = [helper.make_node("GatherBlockQuantized", names, ["y"], name="gbq",
                              domain=MS, gather_axis=0,
                              quantize_axis=quantize_axis, block_size=block,
                              bits=4)]
    m = model(nodes, [vi("idx", T.INT64, [3, 2])],
              [vi("y", T.FLOAT, [3, 2, dim])], inits, ms=True)
    return m, [rng.integers(0, vocab, size=(3, 2)).astype(np.int64)]


def dq_int4_matmul(rng, signed, with_zp, k=64, n=24, block=16):
    """y = x @ DequantizeLinear(q4 [K,N], blocked along K)."""
    lo, hi = (-8, 8) if signed else (0, 16)
    q = rng.integers(lo, hi, size=(k, n))
    s = (rng.random((k // block, n)) * 0.05 + 0.01).astype(np.float32)
    inits = [int4_tensor("q", q, signed), numpy_helper.from_array(s, "s")]
    names = ["q", "s"]
    if with_zp:
        inits.append(int4_tensor("z", rng.integers(lo, hi, size=s.shape),
                                 signed))
        names.append("z")
    nodes = [helper.make_node("DequantizeLinear", names, ["w"], name="dq",
                              axis=0, block_size=block),
             helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")]
    m = model(nodes, [vi("x", T.FLOAT, [5, k])], [vi("y", T.FLOAT, [5, n])],
              inits, opset=21)
    return m, [rng.standard_normal((5, k)).astype(np.float32)]


def valid(rng):
    ties = np.array([[-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 255.0, -255.0]],
                    np.float32)
    return {
        "mmi_u8_i8_per_column": lambda: matmul_integer(
            rng, (2, 6, 32), 12, True, False, a_zp=131,
            b_zp=rng.integers(-5, 5, size=12)),
        "mmi_i8_i8": lambda: matmul_integer(rng, (7, 32), 16, False, False),
        "mmi_u8_u8_scalar_zps": lambda: matmul_integer(
            rng, (3, 2, 5, 24), 9, True, True, a_zp=100, b_zp=[128]),
        "dql_random": lambda: dynamic_quantize(
            rng, (rng.standard_normal((13, 40)) * 3 + 0.7).astype(np.float32)),
        "dql_ties": lambda: dynamic_quantize(rng, ties),
        "dql_positive": lambda: dynamic_quantize(
            rng, (rng.random((4, 9)) + 0.5).astype(np.float32)),
        "dql_zeros": lambda: dynamic_quantize(rng, np.zeros((2, 3), np.float32)),
        "dynamic_matmul": lambda: dynamic_matmul(rng),
        "mitf_per_tensor": lambda: matmul_integer_to_float(rng, False),
        "mitf_per_column": lambda: matmul_integer_to_float(rng, True),
        "dqmm_bias": lambda: dynamic_quantize_matmul(rng),
        "conv_integer_u8": lambda: conv_integer(rng, True, 131),
        "conv_integer_i8": lambda: conv_integer(rng, False, 0),
        "nbits4_sym_bias": lambda: nbits(rng, (2, 5), 64, 24, bias=True),
        "nbits4_packed_zp_partial": lambda: nbits(rng, (3,), 80, 16,
                                                  zp="packed"),
        "nbits4_float_zp": lambda: nbits(rng, (1, 4, 6), 96, 8, zp="float"),
        "nbits4_f16": lambda: nbits(rng, (4,), 64, 16, zp="packed",
                                    dtype=np.float16, block=16),
        "nbits8_zp": lambda: nbits(rng, (6,), 64, 12, bits=8, zp="packed"),
        "gbq_uint4_zp": lambda: gather_bq(rng, False, True),
        "gbq_uint4": lambda: gather_bq(rng, False, False),
        "gbq_int4": lambda: gather_bq(rng, True, False),
        "gbq_u8_packed": lambda: gather_bq_packed(rng, False),
        "gbq_u8_packed_zp": lambda: gather_bq_packed(rng, True),
        "dq_int4_matmul": lambda: dq_int4_matmul(rng, True, False),
        "dq_uint4_zp_matmul": lambda: dq_int4_matmul(rng, False, True),
    }


def invalid(rng):
    return {
        "nbits_g_idx": lambda: nbits(rng, (2,), 64, 8, g_idx=True)[0],
        "nbits_bits3": lambda: nbits(rng, (2,), 64, 8, attrs={"bits": 3})[0],
        "nbits_block": lambda: nbits(rng, (2,), 64, 8,
                                     attrs={"block_size": 24})[0],
        "nbits_b_input": lambda: nbits(rng, (2,), 64, 8, b_input=True)[0],
        "nbits_k_mismatch": lambda: nbits(rng, (2,), 64, 8,
                                          attrs={"K": 96})[0],
        "nbits_float_zp_bad": lambda: nbits(rng, (2,), 64, 8,
                                            zp="float_bad")[0],
        "mmi_zp_shape": lambda: matmul_integer(
            rng, (4, 8), 3, False, False, a_zp=np.zeros(3, np.int8))[0],
        "conv_integer_zp_shape": lambda: conv_integer(rng, True, 3,
                                                      bad_zp=True)[0],
        "gbq_packed_axis0": lambda: gather_bq_packed(rng, False,
                                                     quantize_axis=0)[0],
    }


def write(case, out, ok, bad):
    path = os.path.join(out, case + ".onnx")
    if case in bad:
        onnx.save(bad[case](), path)
        return
    m, ins = ok[case]()
    onnx.save(m, path)
    so = ort.SessionOptions()
    if case.startswith("dq_"):
        # onnxruntime's extended optimizations fuse DequantizeLinear(int4) +
        # MatMul into MatMulNBits, whose results differ from the unfused
        # graph's (and from onnx.reference's) by ~0.025 on these models:
        # the reference is the unfused graph.
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    feeds = {i.name: x for i, x in zip(sess.get_inputs(), ins)}
    for i, x in enumerate(ins):
        np.save(os.path.join(out, f"{case}_in{i}.npy"), x)
    for i, y in enumerate(sess.run(None, feeds)):
        np.save(os.path.join(out, f"{case}_ref{i}.npy"), np.asarray(y))


def main():
    """CASE is one case, or `all` for every valid and invalid one."""
    case, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(11)
    ok, bad = valid(rng), invalid(rng)
    for c in list(ok) + list(bad) if case == "all" else [case]:
        write(c, out, ok, bad)


if __name__ == "__main__":
    main()
