"""NumPy references of the shift-add ops (TECHNIQUES.md section 4).

Each case writes seeded random inputs (in_*.npy) and the expected results
(ref_*.npy) of one integration test into a directory; the lit test runs the
MLIR with loom-run and compares. The references follow the op descriptions
(dense weights rebuilt from signs/exponents or bit planes, NumPy matmuls or
explicit shifts), not the lowering's structure.

    python -m shift_add_reference <case> <dir>
"""

import os
import sys
import zlib

import numpy as np

F32 = np.float32
TINY = np.finfo(F32).tiny


def save(directory, prefix, arrays):
    for i, a in enumerate(arrays):
        np.save(os.path.join(directory, f"{prefix}_{i}.npy"), a)


# ---------------------------------------------------------------------------
# loom.shift_matmul
# ---------------------------------------------------------------------------

def wrap(value, bits):
    """Two's complement wrap of a Python int to `bits` (like arith.addi)."""
    m = 1 << bits
    v = value % m
    return v - m if v >= m // 2 else v


def shift_matmul_int(x, sign, exponent, frac, result_frac, lo, hi, bits):
    """Fixed point: each product is x shifted by p + F' - F, summed mod 2^bits."""
    p = np.clip(exponent.astype(np.int64), lo, hi) + (result_frac - frac)
    x = x.astype(np.int64)
    m, n = x.shape[0], sign.shape[0]
    y = np.zeros((m, n), np.int64)
    for i in range(m):
        for j in range(n):
            acc = 0
            for k in range(x.shape[1]):
                s = int(p[j, k])
                v = int(x[i, k])
                prod = v << s if s >= 0 else v >> -s  # >> is arithmetic
                prod = wrap(prod, bits)
                if sign[j, k] < 0:
                    prod = -prod
                elif sign[j, k] == 0:
                    prod = 0
                acc = wrap(acc + prod, bits)
            y[i, j] = acc
    return y


def ldexp_ftz(x, p):
    """ldexp on f32 with subnormal inputs/results flushed to signed zero and
    overflow to signed infinity (the op's float semantics)."""
    x = np.asarray(x, F32)
    xz = np.where(np.abs(x) < TINY, np.copysign(F32(0), x), x)
    r = np.ldexp(xz.astype(np.float64), np.asarray(p, np.int64))
    r = np.where(np.abs(r) >= 2.0 ** 128, np.copysign(np.inf, r), r)
    r = np.where(np.abs(r) < TINY, np.copysign(0.0, r), r)
    return r.astype(F32)


def shift_matmul_float(x, sign, exponent, lo, hi):
    """Float: products by exponent adds, summed in f32 over ascending k."""
    p = np.clip(exponent.astype(np.int64), lo, hi)
    xf = x.astype(F32)
    terms = ldexp_ftz(xf[:, None, :], p[None, :, :])  # [M,N,K]
    s = np.sign(sign.astype(np.int64))[None, :, :]
    terms = np.where(s > 0, terms, np.where(s < 0, -terms, F32(0))).astype(F32)
    acc = np.zeros(terms.shape[:2], F32)
    for k in range(terms.shape[2]):
        acc = (acc + terms[:, :, k]).astype(F32)
    return acc


def random_signs(rng, shape):
    return rng.integers(-1, 2, size=shape).astype(np.int8)


def case_shift_int(d, rng):
    # Q8.8 i16 activations, exponents in the default [-8, 7], Q.10 i32 result.
    m, k, n = 5, 24, 7
    x = rng.integers(-4000, 4000, size=(m, k)).astype(np.int16)
    sign = random_signs(rng, (n, k))
    exp = rng.integers(-8, 8, size=(n, k)).astype(np.int8)
    y = shift_matmul_int(x, sign, exp, 8, 10, -8, 7, 32).astype(np.int32)
    save(d, "in", [x, sign, exp])
    save(d, "ref", [y])


def case_shift_int_wrap(d, rng):
    # i8 -> i16 with exponents clamped to [-3, 4] (drawn from [-6, 6]) and
    # sums large enough to wrap modulo 2^16.
    m, k, n = 4, 64, 6
    x = rng.integers(-128, 128, size=(m, k)).astype(np.int8)
    x[0] = rng.integers(64, 128, size=k)
    sign = np.ones((n, k), np.int8)
    sign[0] = -1
    sign[1:] = random_signs(rng, (n - 1, k))
    exp = rng.integers(-6, 7, size=(n, k)).astype(np.int8)
    exp[0] = 4  # y[0,0] = -16 * sum(x[0]), far below -2^15: wraps
    y = shift_matmul_int(x, sign, exp, 0, 0, -3, 4, 16).astype(np.int16)
    exact = shift_matmul_int(x, sign, exp, 0, 0, -3, 4, 63)
    assert np.any(exact != y), "case must exercise the wrap"
    save(d, "in", [x, sign, exp])
    save(d, "ref", [y])


def case_shift_float(d, rng):
    m, k, n = 6, 40, 9
    x = rng.standard_normal((m, k)).astype(F32)
    sign = random_signs(rng, (n, k))
    exp = rng.integers(-12, 4, size=(n, k)).astype(np.int8)
    y = shift_matmul_float(x, sign, exp, -12, 3)
    xh = x.astype(np.float16)
    yh = shift_matmul_float(xh, sign, exp, -12, 3).astype(np.float16)
    save(d, "in", [x, sign, exp, xh])
    save(d, "ref", [y, yh])


def case_shift_float_edges(d, rng):
    # One non-zero sign per output: y[0,n] = +-ldexp(x[0,n], p[n,n]).
    x = np.array([[3.0e38, -3.0e38, 1.5e-38, 1.0e-40, 0.0, 1.0, -2.0, 5.0e-39]],
                 F32)
    p = np.array([2, -1, -1, 7, 5, -126, 3, 3], np.int64)
    n = k = 8
    sign = np.zeros((n, k), np.int8)
    exp = np.zeros((n, k), np.int8)
    for j in range(n):
        sign[j, j] = -1 if j == 6 else 1
        exp[j, j] = p[j]
    y = shift_matmul_float(x, sign, exp, -128, 127)
    # inf from overflow, zeros from flushed inputs/results, a normal product.
    assert np.isinf(y[0, 0]) and y[0, 2] == 0 and y[0, 3] == 0 and y[0, 6] == 16
    save(d, "in", [x, sign, exp])
    save(d, "ref", [y])


# ---------------------------------------------------------------------------
# loom.bcq_matmul
# ---------------------------------------------------------------------------

def unpack_planes(planes, k):
    """[q,N,K/8] i8 bytes -> [q,N,K] in {-1,+1} (bit j of byte c is 8c+j)."""
    bits = np.unpackbits(planes.view(np.uint8), axis=-1, bitorder="little")
    return np.where(bits[..., :k] == 1, 1.0, -1.0)


def bcq_weight(planes, exponents, k, g):
    b = unpack_planes(planes, k)  # [q,N,K]
    alpha = np.repeat(np.ldexp(1.0, exponents.astype(np.int64)), g, axis=-1)
    return np.sum(alpha * b, axis=0)  # [N,K]


def fit_bcq(w, q, g):
    """Greedy ShiftAddLLM-style fit: B_i = sign(residual), alpha_i = mean |r|
    per row and group rounded to a power of two (the exponent)."""
    n, k = w.shape
    residual = w.astype(np.float64)
    planes, exps = [], []
    for _ in range(q):
        b = np.where(residual >= 0, 1.0, -1.0)
        mean = np.abs(residual).reshape(n, k // g, g).mean(-1)
        e = np.clip(np.round(np.log2(np.maximum(mean, 1e-30))), -127, 127)
        alpha = np.repeat(np.ldexp(1.0, e.astype(np.int64)), g, axis=-1)
        residual = residual - alpha * b
        bits = (b > 0).astype(np.uint8)
        planes.append(np.packbits(bits, axis=-1, bitorder="little").view(np.int8))
        exps.append(e.astype(np.int8))
    return np.stack(planes), np.stack(exps)


def bcq_case(d, rng, m, k, n, q, g, dtype):
    w = (rng.standard_normal((n, k)) * 0.05).astype(F32)
    planes, exps = fit_bcq(w, q, g)
    x = rng.standard_normal((m, k)).astype(dtype)
    wq = bcq_weight(planes, exps, k, g)
    y = (x.astype(np.float64) @ wq.T).astype(dtype)
    err = np.abs(w - wq)
    print(f"bcq q={q} g={g}: weight max_abs_err={err.max():.4g} "
          f"mean_abs_err={err.mean():.4g} (|w| mean {np.abs(w).mean():.4g})")
    save(d, "in", [x, planes, exps])
    save(d, "ref", [y])


def case_bcq(d, rng):
    bcq_case(d, rng, 3, 64, 8, 3, 16, F32)


def case_bcq_f16(d, rng):
    bcq_case(d, rng, 2, 128, 5, 2, 32, np.float16)


# ---------------------------------------------------------------------------
# loom.adder_matmul
# ---------------------------------------------------------------------------

def case_adder(d, rng):
    m, k, n = 5, 33, 7
    x = rng.standard_normal((m, k)).astype(F32)
    w = rng.standard_normal((n, k)).astype(F32)
    y = -np.abs(x.astype(np.float64)[:, None, :] - w[None, :, :]).sum(-1)
    xi = rng.integers(-128, 128, size=(m, k)).astype(np.int8)
    wi = rng.integers(-128, 128, size=(n, k)).astype(np.int8)
    yi = -np.abs(xi.astype(np.int64)[:, None, :] - wi[None, :, :]).sum(-1)
    save(d, "in", [x, w, xi, wi])
    save(d, "ref", [y.astype(F32), yi.astype(np.int32)])


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main(argv):
    if len(argv) != 3 or argv[1] not in CASES:
        sys.exit(f"usage: python -m shift_add_reference {{{','.join(CASES)}}} DIR")
    os.makedirs(argv[2], exist_ok=True)
    # Seeded per case so every run writes the same inputs.
    CASES[argv[1]](argv[2], np.random.default_rng(zlib.crc32(argv[1].encode())))


if __name__ == "__main__":
    main(sys.argv)
