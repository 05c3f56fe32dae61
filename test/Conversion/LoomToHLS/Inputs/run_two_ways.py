"""Runs one .mlir two ways with loom-run --reference and compares the results.

    python run_two_ways.py FILE.mlir OUTDIR [--entry F] [--passes P]...
                           [--i8 SHAPE,LO,HI]... [--rtol R] [--atol A] [--exact]

Way A: `loom-opt <passes> FILE -o OUTDIR/hls.mlir` (by default
--convert-loom-to-hls --convert-hls-to-arith), then loom-run --reference on
it. Way B: loom-run --reference on FILE (the reference lowering). Both get
the same inputs: each --i8 gives the next leading argument as seeded random
integers in [LO, HI] (an .npy file), the remaining float arguments come from
`--random-seed 1`. Prints, per result, the largest absolute and relative
differences and whether the results are within |a - b| <= atol + rtol * |b|
(with --exact: bit for bit); exits 1 otherwise.
"""

import argparse
import os
import subprocess
import sys

import numpy as np


def run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(" ".join(cmd) + "\n" + done.stdout + done.stderr)
        sys.exit(1)
    return done.stdout


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mlir")
    p.add_argument("outdir")
    p.add_argument("--passes", action="append")
    p.add_argument("--i8", action="append", default=[])
    p.add_argument("--rtol", type=float, default=0.0)
    p.add_argument("--atol", type=float, default=0.0)
    p.add_argument("--exact", action="store_true")
    p.add_argument("--entry")
    args = p.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    passes = args.passes or ["--convert-loom-to-hls", "--convert-hls-to-arith"]

    rng = np.random.default_rng(7)
    inputs = []
    for i, spec in enumerate(args.i8):
        shape, lo, hi = spec.split(",")
        dims = [int(d) for d in shape.split("x")]
        path = os.path.join(args.outdir, f"int_{i}.npy")
        np.save(path, rng.integers(int(lo), int(hi) + 1, dims).astype(np.int8))
        inputs += ["--input", path]

    hls = os.path.join(args.outdir, "hls.mlir")
    run(["loom-opt", *passes, args.mlir, "-o", hls])
    ways = {}
    for name, source in (("A", hls), ("B", args.mlir)):
        out = os.path.join(args.outdir, name)
        entry = ["--entry", args.entry] if args.entry else []
        run(["loom-run", "--reference", source, *entry, *inputs,
             "--random-seed", "1", "--output-dir", out])
        ways[name] = out

    ok = True
    i = 0
    while os.path.exists(os.path.join(ways["B"], f"result{i}.npy")):
        a = np.load(os.path.join(ways["A"], f"result{i}.npy"))
        b = np.load(os.path.join(ways["B"], f"result{i}.npy"))
        diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
        rel = diff / np.maximum(np.abs(b.astype(np.float64)), 1e-30)
        if args.exact:
            good = a.shape == b.shape and a.tobytes() == b.tobytes()
            verdict = "bit-exact" if good else "NOT bit-exact"
        else:
            good = bool(np.all(diff <= args.atol + args.rtol * np.abs(b)))
            verdict = f"within rtol {args.rtol:g} atol {args.atol:g}" if good \
                else "OUTSIDE tolerance"
        print(f"result{i}: {'x'.join(map(str, b.shape))} max abs diff "
              f"{diff.max():.3g} max rel diff {rel.max():.3g} max |ref| "
              f"{np.abs(b).max():.3g}: {verdict}")
        ok &= good
        i += 1
    if i == 0:
        print("no results")
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
