"""Execution test of loom-hls-specialize-experts.

    python specialize_experts.py OUTDIR MODE RENORMALIZE

Writes a loom.moe.ffn layer (12 tokens, hidden 16, ffn 24, 6 SwiGLU experts,
top-2 routing in MODE, renormalised when RENORMALIZE is 1) whose weights are
constants (w1 as dense_resource, the rest as dense hex), specialises it to
experts 1, 3, 4 with loom-opt, checks that no 6-expert weight is left, runs
it with loom-run --reference and compares with the NumPy reference of the
original layer whose router is forced to those experts (the other logits set
to -inf): |y - ref| <= 1e-6 + 1e-5 |ref|. Also reports how far the
specialised layer is from the unspecialised one (it must differ).
"""

import os
import re
import subprocess
import sys

import numpy as np

from moe_reference import dense_moe, route

KEEP = [1, 3, 4]
T, H, F, E = 12, 16, 24, 6


def hexdata(a):
    return "0x" + np.ascontiguousarray(a, "<f4").tobytes().hex().upper()


def ttype(a):
    return "tensor<" + "x".join(map(str, a.shape)) + "xf32>"


def main():
    out, mode, renorm = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    rng = np.random.default_rng(21)
    x = rng.uniform(-1, 1, (T, H)).astype(np.float32)
    wg = rng.uniform(-1, 1, (H, E)).astype(np.float32)
    w1 = (rng.standard_normal((E, H, F)) * 0.3).astype(np.float32)
    w2 = (rng.standard_normal((E, F, H)) * 0.3).astype(np.float32)
    w3 = (rng.standard_normal((E, H, F)) * 0.3).astype(np.float32)
    attrs = "{k = 2, mode = #loom.moe_routing<%s>%s}" % (
        mode, ", renormalize" if renorm else "")
    mlir = f"""func.func @main(%x: {ttype(x)}) -> {ttype(x)} {{
  %wg = arith.constant dense<"{hexdata(wg)}"> : {ttype(wg)}
  %w1 = arith.constant dense_resource<w1_blob> : {ttype(w1)}
  %w2 = arith.constant dense<"{hexdata(w2)}"> : {ttype(w2)}
  %w3 = arith.constant dense<"{hexdata(w3)}"> : {ttype(w3)}
  %y, %d = loom.moe.ffn %x, %wg weights(%w1, %w2, %w3) {attrs}
      : ({ttype(x)}, {ttype(wg)}, {ttype(w1)}, {ttype(w2)}, {ttype(w3)})
      -> ({ttype(x)}, tensor<i64>)
  return %y : {ttype(x)}
}}
{{-#
  dialect_resources: {{
    builtin: {{
      w1_blob: "0x04000000{hexdata(w1)[2:]}"
    }}
  }}
#-}}
"""
    full = os.path.join(out, "full.mlir")
    spec = os.path.join(out, "spec.mlir")
    with open(full, "w") as f:
        f.write(mlir)
    np.save(os.path.join(out, "x.npy"), x)
    subprocess.run(["loom-opt", "--loom-hls-specialize-experts=experts=1,3,4",
                    full, "-o", spec], check=True)
    text = open(spec).read()
    shapes = sorted(set(re.findall(r"arith\.constant .*: (tensor<[^>]*>)", text)))
    print("constants after specialisation:", ", ".join(shapes))
    print("6-expert weights left:", sum(s.startswith("tensor<6x") or
                                        s.endswith("x6xf32>") for s in shapes))
    print("original w1 resource left:", int("w1_blob" in text))

    logits = x.astype(np.float64) @ wg.astype(np.float64)
    forced = np.full_like(logits, -np.inf)
    forced[:, KEEP] = logits[:, KEEP]
    # Ranks among the kept experts are not decided by rounding.
    kept = -np.sort(-logits[:, KEEP], axis=1)
    assert np.all(kept[:, 1] - kept[:, 2] > 1e-3)
    w, i, _ = route(forced, mode=mode, k=2, renormalize=renorm)
    assert set(np.unique(i)) <= set(KEEP)
    ref = dense_moe(x, w, i, w1, w2, w3)
    wa, ia, _ = route(logits, mode=mode, k=2, renormalize=renorm)
    unforced = dense_moe(x, wa, ia, w1, w2, w3)

    subprocess.run(["loom-run", "--reference", spec, "--input",
                    os.path.join(out, "x.npy"), "--output-dir", out],
                   check=True, capture_output=True)
    y = np.load(os.path.join(out, "result0.npy")).astype(np.float64)
    diff = np.abs(y - ref)
    ok = bool(np.all(diff <= 1e-6 + 1e-5 * np.abs(ref)))
    print(f"specialised vs forced-router reference: max abs diff {diff.max():.3g}"
          f" (max |ref| {np.abs(ref).max():.3g}): {'ok' if ok else 'FAIL'}")
    print(f"specialised vs unspecialised layer: max abs diff "
          f"{np.abs(y - unforced).max():.3g}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
