"""Checks the vendor's ap_fixed against the fixed-point formula of
loom-hls-emulate-fixed-point (docs/HLSFixedPoint.md), bit for bit.

Writes random pairs of doubles (uniform values of several magnitudes, exact
rounding ties of every grid, values that overflow), runs the program that
ap_fixed_check.cpp compiles to, and recomputes every line it prints in exact
rational arithmetic:
  quantize(x) = round(x * 2^F) per mode, saturated or wrapped to W bits, / 2^F
with F = W - I; a*b, a+b, a-b and -a are exact, then quantized. Prints one
summary line per mode and `mismatches: N`; the first mismatches are shown.
"""
import argparse
import math
import random
import subprocess
import sys
from collections import Counter
from fractions import Fraction

import numpy as np


def quantize(x, w, i, rounding, overflow):
    """x (a float or Fraction) on the ap_fixed<w, i> grid, exactly."""
    f = w - i
    if isinstance(x, float) and not math.isfinite(x):
        # Infinities and NaNs: saturated by their sign bit, or wrapped to 0.
        if overflow == "wrap":
            return Fraction(0)
        neg = math.copysign(1.0, x) < 0
        return Fraction(-(2 ** (w - 1)) if neg else 2 ** (w - 1) - 1, 2**f)
    x = Fraction(x)
    num = x.numerator * 2**f
    r, rem = divmod(num, x.denominator)  # floor, and the dropped fraction
    twice = 2 * rem
    if rounding == "rnd":  # AP_RND: ties towards +infinity
        r += twice >= x.denominator
    elif rounding == "conv":  # AP_RND_CONV: ties to even
        r += twice > x.denominator or (twice == x.denominator and r % 2 == 1)
    # AP_TRN: floor, nothing to add.
    lo, hi = -(2 ** (w - 1)), 2 ** (w - 1) - 1
    if overflow == "sat":
        r = min(max(r, lo), hi)
    else:  # two's-complement wrap to w bits
        r = (r - lo) % 2**w + lo
    return Fraction(r, 2**f)


def make_pairs(count, seed):
    rng = random.Random(seed)

    def value():
        kind = rng.randrange(4)
        if kind == 0:  # a random double of magnitude 2^-12 .. 2^12
            return rng.uniform(-1, 1) * 2.0 ** rng.randint(-12, 12)
        if kind == 1:  # exact ties and grid points: m / 2^k
            return rng.randint(-4096, 4096) / 2.0 ** rng.randint(0, 26)
        if kind == 2:  # float32 values (what loaded data is)
            return float(Fraction(rng.uniform(-40, 40)).limit_denominator(2**20))
        return rng.uniform(-1, 1) * 2.0 ** rng.randint(-40, 40)  # under/overflow

    specials = [math.inf, -math.inf, math.nan, -math.nan]
    return [(value(), value()) for _ in range(count)] + [(s, 0.5) for s in specials]


def hexstr(v):
    """v as a C hex literal, NaNs with their sign bit."""
    if math.isnan(v):
        return "-nan" if math.copysign(1.0, v) < 0 else "nan"
    return v.hex()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--exe", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    pairs = make_pairs(args.count, args.seed)
    text = "".join(f"{hexstr(x)} {hexstr(y)}\n" for x, y in pairs)
    out = subprocess.run([args.exe], input=text, capture_output=True,
                         text=True, check=True).stdout.splitlines()
    checked, bad = Counter(), []
    names = ["data_t(x)", "data_t(float(x))", "a*b", "a+b", "a-b", "-a"]
    for n, line in enumerate(out):
        w, i, rnd, ovf, *vals = line.split()
        w, i = int(w), int(i)
        x, y = pairs[n % len(pairs)]
        assert vals[0] == hexstr(x) or float.fromhex(vals[0]) == x, \
            "the program lost a pair"
        got = [Fraction(float.fromhex(v)) for v in vals[1:]]
        q = lambda v: quantize(v, w, i, rnd, ovf)
        a, b = q(x), q(y)
        want = [a, q(float(np.float32(x))), q(a * b),
                q(a + b), q(a - b), q(-a)]
        for name, g, e in zip(names, got, want):
            checked[(rnd, ovf)] += 1
            if g != e:
                bad.append(f"ap_fixed<{w},{i},{rnd},{ovf}> {name} x={x!r} "
                           f"y={y!r}: ap_fixed {float(g)!r}, formula {float(e)!r}")
    for (rnd, ovf), n in sorted(checked.items()):
        print(f"{rnd} {ovf}: {n} values checked")
    for line in bad[:10]:
        print("MISMATCH", line)
    print(f"mismatches: {len(bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
