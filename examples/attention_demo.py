#!/usr/bin/env python3
"""Loom example: the bundled attention op, lowered and run on the CPU against NumPy.

Generates seeded inputs, computes the NumPy reference of the example's
loom.attention (GQA 8:2, causal, window 32, 4 sinks, per-key scores), shows the
op being lowered by the reference lowering, runs it with loom-run and prints the
measured error against NumPy. Exits non-zero on any mismatch.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def reference(q, k, v, window, sinks):
    b, hq, sq, d = q.shape
    hkv, skv = k.shape[1], k.shape[2]
    group = hq // hkv
    kk = np.repeat(k.astype(np.float64), group, axis=1)
    vv = np.repeat(v.astype(np.float64), group, axis=1)
    scores = q.astype(np.float64) @ kk.transpose(0, 1, 3, 2) / np.sqrt(d)
    pos = np.arange(sq)[:, None] + skv - sq
    key = np.arange(skv)[None, :]
    visible = (key <= pos) & ((key > pos - window) | (key < sinks))
    scores = np.where(visible, scores, -np.inf)
    p = np.exp(scores - scores.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    out = p @ vv
    key_scores = p.reshape(b, hkv, group, sq, skv).sum(axis=(2, 3))
    return out.astype(np.float32), key_scores.astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", default="build")
    args = parser.parse_args()
    bindir = os.path.join(args.build_dir, "bin")
    example = os.path.join(HERE, "attention_gqa.mlir")

    rng = np.random.default_rng(0)
    q = rng.standard_normal((1, 8, 4, 16), dtype=np.float32)
    k = rng.standard_normal((1, 2, 64, 16), dtype=np.float32)
    v = rng.standard_normal((1, 2, 64, 16), dtype=np.float32)
    out, key_scores = reference(q, k, v, window=32, sinks=4)

    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for name, array in [("q", q), ("k", k), ("v", v), ("out", out),
                            ("key_scores", key_scores)]:
            paths[name] = os.path.join(tmp, name + ".npy")
            np.save(paths[name], array)

        print("== loom-opt --convert-loom-to-linalg (first lines) ==")
        lowered = subprocess.run(
            [os.path.join(bindir, "loom-opt"), example, "--convert-loom-to-linalg"],
            check=True, capture_output=True, text=True).stdout
        generics = lowered.count("linalg.generic")
        print("\n".join(lowered.splitlines()[:12]))
        print(f"... ({generics} linalg.generic ops, no loom ops left: "
              f"{'loom.' not in lowered})\n")

        print("== loom-run (JIT on this CPU) vs NumPy float64 reference ==")
        run = subprocess.run(
            [os.path.join(bindir, "loom-run"), example,
             "--input", paths["q"], "--input", paths["k"], "--input", paths["v"],
             "--compare", paths["out"], "--compare", paths["key_scores"],
             "--rtol", "1e-5", "--atol", "1e-6", "--output-dir", tmp],
            capture_output=True, text=True)
        sys.stdout.write(run.stdout)
        sys.stderr.write(run.stderr)
        if run.returncode != 0:
            print("demo: FAILED")
            return 1
        got = np.load(os.path.join(tmp, "result1.npy"))
        top = np.argsort(-got[0, 0])[:6]
        print("\nkv head 0: keys receiving the most attention (position: score):")
        print("  " + ", ".join(f"{j}: {got[0, 0, j]:.3f}" for j in top))
    print("demo: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
