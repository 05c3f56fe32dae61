"""NumPy reference of fixed_point_mlp.mlir in ap_fixed<W,I,Q,O> arithmetic,
for fixed-point-cpu.test.

Recomputes the program on loom-run's --random-seed inputs in the order of its
loops (convert-linalg-to-loops: the matmul accumulates over k in order, the
softmax reduces max and sum over the row in order), rounding every op's
result as the emitted C++ does (docs/HLSFixedPoint.md): +, -, * exact in f64,
exp and / in f32, constants and inputs rounded. The rounding here is written
independently of the pass (np.rint, int64 wrap-around). Checks that
`loom-run --fixed-point` wrote exactly these values, and prints the error of
the fixed-point run against the float run (--float) with the bound it must
stay under (--bound, per result).

With --csim, also runs fixed_point_mlp.cpp compiled on the vendor's ap_fixed
in the same format on the same inputs and requires loom-run's values there
too, bit for bit.

Usage: fixed_point_reference.py --format W,I,rounding,overflow --seed N
         --fixed DIR --float DIR --bound Y_BOUND,SOFTMAX_BOUND [--csim EXE]
"""
import argparse
import ctypes
import ctypes.util
import os
import subprocess
import sys
import tempfile

import numpy as np

from loom._runtime import RandomInputs

LIBM = ctypes.CDLL(ctypes.util.find_library("m"))
LIBM.expf.restype = ctypes.c_float
LIBM.expf.argtypes = [ctypes.c_float]


class Format:
    def __init__(self, text):
        w, i, self.rounding, self.overflow = text.split(",")
        self.w, self.i = int(w), int(i)
        self.f = self.w - self.i

    def q(self, x):
        """ap_fixed<W,I,Q,O>(x) for an array of doubles, as f32."""
        x = np.asarray(x, np.float64)
        scaled = x * 2.0**self.f
        finite = np.isfinite(scaled)
        scaled = np.where(finite, scaled, 0.0)
        assert np.all(np.abs(scaled) < 2.0**50), "out of the exact range"
        if self.rounding == "conv":
            n = np.rint(scaled)  # ties to even
        elif self.rounding == "rnd":
            n = np.floor(scaled + 0.5)  # ties towards +infinity
        else:
            n = np.floor(scaled)
        n = n.astype(np.int64)
        lo, hi = -(2 ** (self.w - 1)), 2 ** (self.w - 1) - 1
        if self.overflow == "sat":
            n = np.clip(n, lo, hi)
            special = np.where(np.signbit(x), lo, hi)
        else:
            n = (n - lo) % 2**self.w + lo
            special = np.zeros_like(n)
        n = np.where(finite, n, special)
        return (n.astype(np.float64) * 2.0**-self.f).astype(np.float32)


def run(fmt, x, w, b):
    q = fmt.q
    f64 = lambda v: np.asarray(v, np.float64)
    x, w, b = q(x), q(w), q(b)
    # linalg.matmul: h[i, j] += x[i, k] * w[k, j], k in order.
    h = np.zeros((8, 16), np.float32)
    for k in range(32):
        prod = q(f64(x[:, k, None]) * f64(w[None, k, :]))
        h = q(f64(h) + f64(prod))
    y = q(np.maximum(q(f64(h) + f64(b)), 0))
    z = q(f64(y) * f64(q(1.3)))
    o = q(f64(h) * f64(q(16.0)))
    # linalg.softmax: the row max from a -NaN start (maxnumf), exp of the
    # difference, the row sum in order, then the division.
    m = np.full(8, q(np.float32(-np.nan)), np.float32)
    for j in range(16):
        m = q(np.fmax(z[:, j], m))
    diff = q(f64(z) - f64(m[:, None]))
    e = q(np.vectorize(LIBM.expf, otypes=[np.float32])(diff))
    s = np.zeros(8, np.float32)
    for j in range(16):
        s = q(f64(s) + f64(e[:, j]))
    softmax = q(e / s[:, None])  # float32 division
    return [y, softmax, o, b]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--format", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--fixed", required=True)
    parser.add_argument("--float", required=True)
    parser.add_argument("--bound", required=True)
    parser.add_argument("--csim", help="fixed_point_mlp.cpp compiled in this "
                        "format: its values must equal loom-run's too")
    args = parser.parse_args()
    fmt = Format(args.format)
    random = RandomInputs(args.seed)
    x = random.generate("float32", (8, 32))
    w = random.generate("float32", (32, 16))
    b = random.generate("float32", (16,))
    want = run(fmt, x, w, b)
    ok = True
    names = ["relu", "softmax", "overflow", "input"]
    for i, (name, ref) in enumerate(zip(names, want)):
        got = np.load(f"{args.fixed}/result{i}.npy")
        differ = int(np.count_nonzero(got != ref))
        print(f"{name}: {differ} of {ref.size} values differ from the NumPy "
              f"fixed-point reference")
        ok &= differ == 0
    if args.csim:
        # The same program in C++ on the vendor's ap_fixed.
        with tempfile.TemporaryDirectory() as tmp:
            inputs, outputs = os.path.join(tmp, "in"), os.path.join(tmp, "out")
            np.concatenate([x.ravel(), w.ravel(), b.ravel()]).tofile(inputs)
            subprocess.run([args.csim, inputs, outputs], check=True,
                           stderr=subprocess.PIPE)  # ap_fixed: "assign NaN"
            csim = np.fromfile(outputs, np.float32)
        sizes = [128, 128, 128, 16]
        for i, name in enumerate(names):
            got = np.load(f"{args.fixed}/result{i}.npy").ravel()
            ref = csim[sum(sizes[:i]):sum(sizes[:i + 1])]
            differ = int(np.count_nonzero(got != ref))
            print(f"{name}: {differ} of {ref.size} values differ from "
                  f"ap_fixed (C++)")
            ok &= differ == 0
    # The float run: the error fixed point costs (the overflowing result is
    # not compared: it leaves the range on purpose).
    bounds = [float(v) for v in args.bound.split(",")]
    for i, (name, bound) in enumerate(zip(["relu", "softmax"], bounds)):
        got = np.load(f"{args.fixed}/result{i}.npy").astype(np.float64)
        ref = np.load(f"{args.float}/result{i}.npy").astype(np.float64)
        err = float(np.abs(got - ref).max())
        within = err <= bound
        print(f"{name}: max abs error vs float {err:.3g} "
              f"({'within' if within else 'ABOVE'} the bound {bound:g})")
        ok &= within
    clipped = np.load(f"{args.fixed}/result2.npy")
    print(f"overflow: range [{clipped.min():g}, {clipped.max():g}]")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
