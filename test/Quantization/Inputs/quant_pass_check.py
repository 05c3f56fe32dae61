"""Runs a quantization pass on a two-layer model and checks it by execution.

    python quant_pass_check.py KIND WORKDIR -- PASS-FLAGS...

Writes WORKDIR/model.mlir: y = (x W1) W2 with x [16,64], W1 [64,48] (layer
"fc1"), W2 [48,40] ("head", the output head), seeded random weights; runs
`loom-opt PASS-FLAGS` on it and `loom-run` on both modules with the same
random input, then checks the rewritten model's output against a NumPy model
of what the pass claims to emit (KIND):

- uniform BITS GROUP SYM: weight-only round-to-nearest codes (GROUP 0 = per
  channel), dequantized: y must match to 1e-5 of max |y| (f32 sums);
- w8a8: int8 weights per channel, per-token dynamic int8 activations,
  integer products, one rescale: y must match to 1e-5;
- pow2 LO HI: per-weight sign * 2^p, p in [LO, HI] nearest: 1e-5;
- error BOUND: only the error against the unquantized model, relative L2,
  must be at most BOUND (for fits without a closed form: binary coding).

WORKDIR/calibration/samples.npy holds 32 calibration inputs (other random
rows) for the flags that need them. The head is left alone unless the flags include include-head=true (the
reference follows that). Prints the relative L2 error against the
unquantized model in every case (also into WORKDIR/log).
"""
import os
import subprocess
import sys

import numpy as np

M, K, N1, N2 = 16, 64, 48, 40


def mlir_dense(a):
    return "dense<[" + ", ".join(
        "[" + ", ".join("%.9e" % v for v in row) + "]" for row in a) + "]>"


def write_model(path, w1, w2):
    with open(path, "w") as f:
        f.write(f"""func.func @main(%x: tensor<{M}x{K}xf32>) -> tensor<{M}x{N2}xf32> {{
  %w1 = arith.constant {mlir_dense(w1)} : tensor<{K}x{N1}xf32>
  %w2 = arith.constant {mlir_dense(w2)} : tensor<{N1}x{N2}xf32>
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<{M}x{N1}xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<{M}x{N1}xf32>) -> tensor<{M}x{N1}xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<{M}x{K}xf32>, tensor<{K}x{N1}xf32>) outs(%f1 : tensor<{M}x{N1}xf32>) -> tensor<{M}x{N1}xf32> loc("fc1")
  %e2 = tensor.empty() : tensor<{M}x{N2}xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<{M}x{N2}xf32>) -> tensor<{M}x{N2}xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<{M}x{N1}xf32>, tensor<{N1}x{N2}xf32>) outs(%f2 : tensor<{M}x{N2}xf32>) -> tensor<{M}x{N2}xf32> loc("head")
  return %y : tensor<{M}x{N2}xf32>
}}
""")


def rne(x):
    return np.round(x)  # numpy rounds half to even


def uniform(w_nk, bits, group, symmetric):
    """Dequantized [N,K] weights as Fitting.h's round-to-nearest gives them."""
    n, k = w_nk.shape
    g = group or k
    lo_code, hi_code = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    out = np.empty_like(w_nk)
    for r in range(n):
        for c0 in range(0, k, g):
            v = w_nk[r, c0:c0 + g].astype(np.float64)
            if symmetric:
                s = np.float32(np.abs(v).max() / hi_code)
                s = s if s > 0 else np.float32(1)
                z = 0
            else:
                low, high = min(v.min(), 0.0), max(v.max(), 0.0)
                s = np.float32((high - low) / (2 ** bits - 1))
                if not s > 0:
                    s, z = np.float32(1), lo_code
                else:
                    z = int(rne(-low / np.float64(s))) + lo_code
            q = np.clip(rne(v / np.float64(s)) + z, lo_code, hi_code)
            out[r, c0:c0 + g] = (np.float32(q - z) * s).astype(np.float32)
    return out


def pow2(w_nk, lo, hi):
    best = np.zeros_like(w_nk)
    a = np.abs(w_nk.astype(np.float64))
    cands = [0.0] + [2.0 ** p for p in range(lo, hi + 1)]
    for idx, v in np.ndenumerate(a):
        errs = [abs(v - c) for c in cands]
        # Ties go to the larger magnitude (Fitting.h).
        j = min(range(len(cands)), key=lambda i: (errs[i], -cands[i]))
        best[idx] = np.sign(w_nk[idx]) * cands[j]
    return best.astype(np.float32)


def w8a8_layer(x, w_nk):
    s_w = np.abs(w_nk).max(axis=1).astype(np.float64) / 127
    s_w = np.where(s_w > 0, s_w, 1).astype(np.float32)
    q_w = np.clip(rne(w_nk / s_w[:, None].astype(np.float64)), -128, 127)
    amax = np.abs(x).max(axis=1)
    s_x = np.where(amax > 0, (amax / np.float32(127)).astype(np.float32),
                   np.float32(1))
    q_x = np.clip(rne((x / s_x[:, None]).astype(np.float32)), -128, 127)
    acc = q_x.astype(np.int64) @ q_w.T.astype(np.int64)
    return ((acc.astype(np.float32) * s_x[:, None]) * s_w[None, :]).astype(
        np.float32)


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    sys.stderr.write(r.stderr)
    if r.returncode:
        sys.exit("%s failed:\n%s" % (" ".join(cmd), r.stdout))


def main(argv):
    split = argv.index("--")
    kind, work, flags = argv[1], argv[2], argv[split + 1:]
    args = argv[3:split]
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(7)
    w1 = (rng.standard_normal((K, N1)) * 0.1).astype(np.float32)
    w2 = (rng.standard_normal((N1, N2)) * 0.1).astype(np.float32)
    x = rng.standard_normal((M, K)).astype(np.float32)
    model = os.path.join(work, "model.mlir")
    write_model(model, w1, w2)
    np.save(os.path.join(work, "x.npy"), x)
    # Calibration inputs for flags that name WORKDIR/calibration: 32 stacks
    # of other random rows.
    os.makedirs(os.path.join(work, "calibration"), exist_ok=True)
    np.save(os.path.join(work, "calibration", "samples.npy"),
            rng.standard_normal((32, M, K)).astype(np.float32))
    quantized = os.path.join(work, "quantized.mlir")
    run(["loom-opt", model, "-o", quantized] + flags)
    ys = []
    for name, path in (("fp32", model), ("quantized", quantized)):
        out = os.path.join(work, name)
        run(["loom-run", path, "--input", os.path.join(work, "x.npy"),
             "--output-dir", out])
        ys.append(np.load(os.path.join(out, "result0.npy")))
    y32, yq = ys
    rel = float(np.linalg.norm(yq - y32) / np.linalg.norm(y32))
    message = "relative L2 error against the unquantized model: %.4e" % rel
    print(message)
    with open(os.path.join(work, "log"), "w") as f:
        f.write(message + "\n")
    include_head = any("include-head=true" in f for f in flags)

    def reduce_all(fn):
        a = fn(w1.T).T
        b = fn(w2.T).T if include_head else w2
        return ((x @ a).astype(np.float32) @ b).astype(np.float32)

    if kind == "uniform":
        bits, group, sym = int(args[0]), int(args[1]), args[2] == "1"
        ref = reduce_all(lambda w: uniform(w, bits, group, sym))
    elif kind == "pow2":
        lo, hi = int(args[0]), int(args[1])
        ref = reduce_all(lambda w: pow2(w, lo, hi))
    elif kind == "w8a8":
        h = w8a8_layer(x, w1.T)
        ref = w8a8_layer(h, w2.T) if include_head else (h @ w2).astype(
            np.float32)
    elif kind == "error":
        bound = float(args[0])
        if not rel <= bound:
            sys.exit("FAIL: relative L2 error %.4e above %.4e" % (rel, bound))
        print("ok: within %.3g" % bound)
        return 0
    else:
        sys.exit("unknown kind " + kind)
    diff = float(np.abs(yq - ref).max() / np.abs(ref).max())
    print("max |loom - numpy model| / max |y|: %.3e" % diff)
    if not diff <= 1e-5:
        sys.exit("FAIL: the rewritten model does not compute what the pass "
                 "claims")
    print("ok: matches the NumPy model of the pass")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
