"""NumPy references of the quantization ops (TECHNIQUES.md section 7).

Each case quantizes seeded random weights / activations with NumPy, writes the
integration test's inputs (in_*.npy) and expected results (ref_*.npy) into a
directory, and prints the quantization error against the unquantized values
(the lit tests check that it stays within half a quantization step).

    python -m quant_reference <case> <dir>
    python -m quant_reference check_activation <dir> <out_dir>
"""

import os
import sys
import zlib

import numpy as np

F32 = np.float32


def save(directory, prefix, arrays):
    for i, a in enumerate(arrays):
        np.save(os.path.join(directory, f"{prefix}_{i}.npy"), a)


# ---------------------------------------------------------------------------
# Weights: loom.qmatmul
# ---------------------------------------------------------------------------

def quantize_weight(w, bits, group, symmetric):
    """Returns (q [N,K] int8 in the `bits` range, scales [N] or [N,K/g] f32,
    zero points (same shape, int8) or None)."""
    n, k = w.shape
    g = k if group is None else group
    wg = w.reshape(n, k // g, g).astype(np.float64)
    qmin, qmax = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if symmetric:
        scale = np.abs(wg).max(-1) / qmax
        zero = np.zeros_like(scale)
    else:
        lo, hi = wg.min(-1), wg.max(-1)
        scale = (hi - lo) / (qmax - qmin)
        zero = np.clip(np.rint(qmin - lo / scale), qmin, qmax)
    scale = scale.astype(F32)
    q = np.clip(np.rint(wg / scale[..., None]) + zero[..., None], qmin, qmax)
    q = q.reshape(n, k).astype(np.int8)
    zero = zero.astype(np.int8)
    if group is None:
        scale, zero = scale[:, 0], zero[:, 0]
    return q, scale, (None if symmetric else zero)


def dequantize_weight(q, scale, zero, group):
    """f32 weights exactly as the op defines them: (q - z) * s in f32."""
    n, k = q.shape
    g = k if group is None else group
    s = scale.astype(F32).reshape(n, -1)
    z = np.zeros_like(s) if zero is None else zero.astype(F32).reshape(n, -1)
    s = np.repeat(s, g, axis=1)
    z = np.repeat(z, g, axis=1)
    return ((q.astype(F32) - z).astype(F32) * s).astype(F32)


def pack_int4(q):
    """[N,K] int4 values -> [N,K/2] int8 bytes, low nibble first."""
    low = q[:, 0::2].astype(np.uint8) & 0xF
    high = q[:, 1::2].astype(np.uint8) & 0xF
    return (low | (high << 4)).view(np.int8)


def unpack_int4(packed):
    """Inverse of pack_int4 (sign-extends each nibble)."""
    b = packed.view(np.uint8)
    nibbles = np.stack([b & 0xF, b >> 4], axis=-1).reshape(b.shape[0], -1)
    return np.where(nibbles >= 8, nibbles.astype(np.int16) - 16,
                    nibbles).astype(np.int8)


def report_weight_error(w, wq, scale, bits, group):
    n, k = w.shape
    g = k if group is None else group
    step = np.repeat(scale.astype(np.float64).reshape(n, -1), g, axis=1)
    err = np.abs(w.astype(np.float64) - wq)
    ok = bool(np.all(err <= step / 2 * (1 + 1e-5) + 1e-12))
    print(f"weight int{bits} group={group}: max_abs_err={err.max():.4g} "
          f"mean_abs_err={err.mean():.4g} max_err/step={np.max(err / step):.4f} "
          f"bound_ok={ok}")


def qmatmul_case(d, rng, m, k, n, bits, group, symmetric, dtype, out_dtype):
    w = rng.standard_normal((n, k)).astype(F32) * F32(0.1)
    q, scale, zero = quantize_weight(w, bits, group, symmetric)
    wq = dequantize_weight(q, scale, zero, group)
    report_weight_error(w, wq, scale, bits, group)
    if bits == 4:
        packed = pack_int4(q)
        assert np.array_equal(unpack_int4(packed), q)
    else:
        packed = q
    x = rng.standard_normal((m, k)).astype(dtype)
    scale_in = scale.astype(dtype)
    # The op dequantizes with the scales as stored (f16 here when dtype is).
    wq = dequantize_weight(q, scale_in.astype(F32), zero, group)
    y = (x.astype(np.float64) @ wq.astype(np.float64).T).astype(out_dtype)
    y_float = x.astype(np.float64) @ w.astype(np.float64).T
    print(f"output vs unquantized weights: max_abs_err="
          f"{np.abs(y.astype(np.float64) - y_float).max():.4g}")
    inputs = [x, packed, scale_in] + ([] if zero is None else [zero])
    save(d, "in", inputs)
    save(d, "ref", [y])


def case_int8_channel(d, rng):
    qmatmul_case(d, rng, 5, 48, 12, 8, None, True, F32, F32)


def case_int8_group_asym(d, rng):
    qmatmul_case(d, rng, 4, 96, 10, 8, 32, False, F32, F32)


def case_int4_group_asym_f16(d, rng):
    qmatmul_case(d, rng, 3, 128, 16, 4, 32, False, np.float16, np.float16)


def case_int4_channel(d, rng):
    qmatmul_case(d, rng, 4, 64, 9, 4, None, True, F32, F32)


def case_int4_unpack(d, rng):
    """x = identity: y = W_deq^T exactly, so every nibble is checked."""
    k, n, g = 64, 10, 16
    w = rng.standard_normal((n, k)).astype(F32)
    q, scale, zero = quantize_weight(w, 4, g, False)
    # Make sure both nibbles cover the whole int4 range, sign bit included.
    q[0, :16] = np.arange(-8, 8)
    wq = dequantize_weight(q, scale, zero, g)
    report_weight_error(w[1:], wq[1:].astype(np.float64), scale[1:], 4, g)
    packed = pack_int4(q)
    assert np.array_equal(unpack_int4(packed), q)
    x = np.eye(k, dtype=F32)
    save(d, "in", [x, packed, scale, zero])
    save(d, "ref", [wq.T.copy()])


# ---------------------------------------------------------------------------
# Activations: loom.quantize / loom.dequantize
# ---------------------------------------------------------------------------

def quantize_act(x, scale, zero):
    """clamp(roundeven(x / s) + z, -128, 127) in f32 (s, z broadcast)."""
    v = np.rint((x.astype(F32) / scale.astype(F32)).astype(F32)) + zero.astype(F32)
    v = np.where(np.isnan(v), zero.astype(F32), v)
    return np.clip(v, -128, 127).astype(np.int8)


def dequantize_act(q, scale, zero):
    return ((q.astype(F32) - zero.astype(F32)).astype(F32) *
            scale.astype(F32)).astype(F32)


def case_act_per_token(d, rng):
    # Symmetric per token (scales from the rows' max |x|).
    x = (rng.standard_normal((6, 32)) * rng.uniform(0.5, 4, (6, 1))).astype(F32)
    scale = (np.abs(x).max(-1) / 127).astype(F32)
    zero = np.zeros(6, np.int8)
    q = quantize_act(x, scale[:, None], zero[:, None])
    xd = dequantize_act(q, scale[:, None], zero[:, None])
    save(d, "in", [x, scale])
    save(d, "ref", [q, xd])
    np.save(os.path.join(d, "step.npy"), np.broadcast_to(scale[:, None], x.shape))


def case_act_per_tensor(d, rng):
    # Asymmetric per tensor with a power-of-two scale so that x / s has exact
    # .5 ties (round half to even) and a range that clips at both ends.
    x = (rng.integers(-1200, 400, size=(2, 4, 16)) / 8.0).astype(F32)
    x[0, 0, :6] = [0.0625, 0.1875, -0.0625, -0.1875, 0.3125, 1000.0]
    scale = np.array([0.125], F32)
    zero = np.array([30], np.int8)
    q = quantize_act(x, scale, zero)
    xd = dequantize_act(q, scale, zero)
    ties = x[0, 0, :4] / scale[0]
    assert np.array_equal(q[0, 0, :4], np.array([30, 32, 30, 28], np.int8)), ties
    save(d, "in", [x, scale, zero])
    save(d, "ref", [q, xd])
    np.save(os.path.join(d, "step.npy"), np.full(x.shape, scale[0], F32))


def check_activation(d, out):
    """Quantization error of the round trip computed by loom-run: within half a
    step where x is inside the representable range."""
    x = np.load(os.path.join(d, "in_0.npy")).astype(np.float64)
    step = np.load(os.path.join(d, "step.npy")).astype(np.float64)
    xd = np.load(os.path.join(out, "result1.npy")).astype(np.float64)
    q = np.load(os.path.join(out, "result0.npy"))
    inside = (q > -128) & (q < 127)
    err = np.abs(x - xd)
    ok = bool(np.all(err[inside] <= step[inside] / 2 * (1 + 1e-6)))
    print(f"activations: max_abs_err={err[inside].max():.4g} "
          f"max_err/step={np.max(err[inside] / step[inside]):.4f} "
          f"clipped={int((~inside).sum())} bound_ok={ok}")


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main(argv):
    if len(argv) == 4 and argv[1] == "check_activation":
        check_activation(argv[2], argv[3])
        return
    if len(argv) != 3 or argv[1] not in CASES:
        sys.exit(f"usage: python -m quant_reference {{{','.join(CASES)}}} DIR")
    os.makedirs(argv[2], exist_ok=True)
    # Seeded per case so every run writes the same inputs.
    CASES[argv[1]](argv[2], np.random.default_rng(zlib.crc32(argv[1].encode())))


if __name__ == "__main__":
    main(sys.argv)
