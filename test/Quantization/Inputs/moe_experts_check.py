"""Checks loom-quantize's expert weights of loom.moe.ffn by execution.

    python moe_experts_check.py MODEL.onnx FLOAT.mlir QUANT.mlir INPUT.npy \
        LOOM_OUTPUT.npy [--bits B --group G --asymmetric]

FLOAT.mlir is the model as loomc imports it, QUANT.mlir after loom-quantize,
LOOM_OUTPUT.npy Loom's output of QUANT.mlir on INPUT.npy. For every
loom.moe.ffn of QUANT.mlir, its codes, scales (and zero points) are read from
the IR and dequantized in NumPy (`(q - z) * s`, int4 unpacked as
loom.qmatmul packs it); each float expert weight of FLOAT.mlir is found among
the ONNX initializers (the initializer itself, its transpose, or a half of
it: fused gate/up projections) and replaced there by its dequantization; the
model is then run by onnxruntime, and Loom's output must match it to 1e-5 of
its largest value. With --bits (and --group, --asymmetric) the codes must
also be exactly NumPy's round-to-nearest fit of the float weights (what
loom-quantize claims for rounding=nearest; not given for GPTQ). Prints both
outputs' error against the unquantized model and the experts' weight bytes.
"""
import argparse
import re
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

DTYPES = {"f32": np.float32, "i8": np.int8}


def read_ir(path):
    """The loom.moe.ffn ops of an MLIR file: for each, a dict of operand
    lists ('weights', 'scales', 'zero_points') as arrays, and its attributes."""
    text = open(path).read()
    blobs = dict(re.findall(r'^\s*([\w.]+): "0x([0-9A-Fa-f]+)"', text, re.M))
    consts = {}
    for name, res, shape, dtype in re.findall(
            r"(%[\w.]+) = arith.constant dense_resource<([\w.]+)> : "
            r"tensor<([\dx]+)x(f32|i8)>", text):
        raw = bytes.fromhex(blobs[res])[4:]
        dims = [int(d) for d in shape.split("x")]
        consts[name] = np.frombuffer(raw, DTYPES[dtype]).reshape(dims)
    layers = []
    for m in re.finditer(r"loom.moe.ffn [^\n]*", text):
        line = m.group(0)
        layer = {}
        for group in ("weights", "scales", "zero_points"):
            g = re.search(group + r"\(([^)]*)\)", line)
            layer[group] = [consts[v.strip()] for v in g.group(1).split(",")] if g else []
        attrs = re.search(r"\{([^}]*)\}\s*:", line).group(1)
        bits = re.search(r"bits = (\d+)", attrs)
        group_size = re.search(r"group_size = (\d+)", attrs)
        layer["bits"] = int(bits.group(1)) if bits else 8
        layer["group_size"] = int(group_size.group(1)) if group_size else None
        layers.append(layer)
    return layers


def unpack_int4(p):
    p = p.astype(np.int16)
    low = ((p & 0xF) ^ 8) - 8
    high = (((p >> 4) & 0xF) ^ 8) - 8
    out = np.empty((p.shape[0], 2 * p.shape[1], p.shape[2]), np.int16)
    out[:, 0::2], out[:, 1::2] = low, high
    return out


def dequantize(q, s, z, bits, group):
    """W[e,k,n] = (q - z[e,k/g,n]) * s[e,k/g,n] in f32."""
    q = unpack_int4(q) if bits == 4 else q.astype(np.int16)
    k = q.shape[1]
    rows = np.arange(k) // (group if group else k)
    zz = z[:, rows, :].astype(np.int16) if z is not None else 0
    return ((q - zz).astype(np.float32) * s[:, rows, :]).astype(np.float32), q


def fit_nearest(w, bits, group, asymmetric):
    """loom-quantize's round-to-nearest codes of w [E,K,N] (groups along K)."""
    e, k, n = w.shape
    g = group or k
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    m = w.astype(np.float64).reshape(e, k // g, g, n)
    if not asymmetric:
        s = (np.abs(m).max(axis=2) / hi).astype(np.float32)
        s = np.where(s > 0, s, np.float32(1))
        z = np.zeros(s.shape)
    else:
        low = np.minimum(m.min(axis=2), 0)
        high = np.maximum(m.max(axis=2), 0)
        levels = (1 << bits) - 1
        s = ((high - low) / levels).astype(np.float32)
        zero = s <= 0
        s = np.where(zero, np.float32(1), s)
        z = np.clip(np.round(-low / s.astype(np.float64)), 0, levels) + lo
        z = np.where(zero, lo, z)
    q = np.round(m / s[:, :, None, :].astype(np.float64)) + z[:, :, None, :]
    return np.clip(q, lo, hi).reshape(e, k, n)


def views(a):
    """(label, view, setter) of an initializer's plausible expert layouts."""
    out = []
    if a.ndim != 3:
        return out
    for t in (False, True):
        base = a.transpose(0, 2, 1) if t else a
        out.append(((t, None), base))
        for half in (0, 1):
            for axis in (1, 2):
                size = base.shape[axis] // 2
                sl = [slice(None)] * 3
                sl[axis] = slice(half * size, (half + 1) * size)
                out.append(((t, (axis, half)), base[tuple(sl)]))
    return out


def substitute(model, float_w, deq):
    for init in model.graph.initializer:
        a = numpy_helper.to_array(init)
        for (t, part), v in views(a):
            if v.shape == float_w.shape and np.array_equal(v, float_w):
                new = a.copy()
                base = new.transpose(0, 2, 1) if t else new
                if part is None:
                    base[...] = deq
                else:
                    axis, half = part
                    size = base.shape[axis] // 2
                    sl = [slice(None)] * 3
                    sl[axis] = slice(half * size, (half + 1) * size)
                    base[tuple(sl)] = deq
                init.CopyFrom(numpy_helper.from_array(new, init.name))
                return
    sys.exit("FAIL: an expert weight is not an ONNX initializer")


def run(model, x):
    session = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def main():
    p = argparse.ArgumentParser()
    for a in ("model", "float_ir", "quant_ir", "input", "loom"):
        p.add_argument(a)
    p.add_argument("--bits", type=int)
    p.add_argument("--group", type=int)
    p.add_argument("--asymmetric", action="store_true")
    args = p.parse_args()
    model = onnx.load(args.model)
    x = np.load(args.input)
    fp32 = run(model, x)
    float_layers, quant_layers = read_ir(args.float_ir), read_ir(args.quant_ir)
    assert len(float_layers) == len(quant_layers) > 0
    nbytes = fbytes = 0
    for fl, ql in zip(float_layers, quant_layers):
        zs = ql["zero_points"] or [None] * len(ql["weights"])
        for fw, q, s, z in zip(fl["weights"], ql["weights"], ql["scales"], zs):
            deq, codes = dequantize(q, s, z, ql["bits"], ql["group_size"])
            nbytes += q.nbytes + s.nbytes + (z.nbytes if z is not None else 0)
            fbytes += fw.nbytes
            if args.bits:
                ref = fit_nearest(fw, args.bits, args.group, args.asymmetric)
                if not np.array_equal(codes, ref):
                    sys.exit("FAIL: codes differ from round-to-nearest in %d places"
                             % int((codes != ref).sum()))
            substitute(model, fw, deq)
    ref = run(model, x)
    loom = np.load(args.loom)
    scale = np.abs(ref).max()
    diff = float(np.abs(loom - ref).max() / scale)
    print("expert weight bytes: %d (f32 %d)" % (nbytes, fbytes))
    print("experts: error vs fp32 %.3e (onnxruntime) %.3e (loom)" % (
        np.abs(ref - fp32).max() / scale, np.abs(loom - fp32).max() / scale))
    print("max |loom - onnxruntime with the dequantized experts| / max: %.2e"
          % diff)
    if not diff <= 1e-5:
        sys.exit("FAIL: the quantized experts are not what loom-quantize "
                 "claims")
    print("ok")


if __name__ == "__main__":
    main()
