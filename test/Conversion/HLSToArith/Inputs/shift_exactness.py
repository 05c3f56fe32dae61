"""Runs @shift of convert-hls-to-arith.mlir (after the pass) with loom-run
--reference on every exponent in [-300, 300] (one row each, 200 random x of
magnitudes 2^-149 .. 2^127 per row, and zeros and infinities) and compares with NumPy's f32 ldexp.

    python shift_exactness.py FILE.mlir OUTDIR
"""

import os
import subprocess
import sys

import numpy as np


def main():
    mlir, out = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(3)
    exps = np.arange(-300, 301, dtype=np.int32)
    e = np.repeat(exps[:, None], 200, axis=1)
    mant = rng.uniform(1.0, 2.0, e.shape) * rng.choice([-1.0, 1.0], e.shape)
    mag = rng.integers(-149, 128, e.shape)
    x = np.ldexp(mant, mag).astype(np.float32)
    x[:, :4] = np.array([0.0, -0.0, np.inf, -np.inf], np.float32)
    np.save(os.path.join(out, "x.npy"), x)
    np.save(os.path.join(out, "e.npy"), e)
    lowered = os.path.join(out, "arith.mlir")
    subprocess.run(["loom-opt", "--convert-hls-to-arith", mlir, "-o", lowered],
                   check=True)
    subprocess.run(["loom-run", "--reference", lowered, "--entry", "shift",
                    "--input", os.path.join(out, "x.npy"),
                    "--input", os.path.join(out, "e.npy"),
                    "--output-dir", out], check=True, capture_output=True)
    y = np.load(os.path.join(out, "result0.npy"))
    with np.errstate(over="ignore"):
        ref = np.ldexp(x, e)  # f32 x: ldexpf, one rounding
    assert ref.dtype == np.float32
    same = (y.view(np.uint32) == ref.view(np.uint32))
    inside = (e >= -126) & (e <= 127)
    tiny = np.finfo(np.float32).tiny
    normal = (np.abs(ref) >= tiny) | (ref == 0) | np.isinf(ref)
    print(f"{y.size} products, {len(exps)} exponents in [-300, 300]")
    print(f"e in [-126, 127]: {int(np.sum(~same & inside))} differ from ldexp")
    print("e outside [-126, 127], normal or zero or inf results: "
          f"{int(np.sum(~same & ~inside & normal))} differ from ldexp")
    print("e outside [-126, 127], subnormal results: "
          f"{int(np.sum(~same & ~inside & ~normal))} of "
          f"{int(np.sum(~inside & ~normal))} differ from ldexp (double rounding)")
    ok = not np.any(~same & (inside | normal))
    print("all products:", "ok" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
