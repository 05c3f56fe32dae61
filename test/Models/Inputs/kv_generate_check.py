"""Checks loom-insert-kv-cache by execution on an ONNX causal LM.

    python kv_generate_check.py MODEL.onnx WORKDIR PROMPT STEPS

1. `loomc MODEL.onnx --emit=mlir`: the full-sequence function @main over S
   tokens (the shared MODEL_input.npy gives the prompt's tokens).
2. `loom-opt --loom-insert-kv-cache=prompt-length=PROMPT`, then
   `--convert-loom-to-linalg` (every cache becomes its 5 parts: keys, values,
   positions, length, next) and `loomc --entry=prefill` / `--entry=decode_step`
   compile each function once into a library that `loom-run OUTDIR` calls.
3. Generation: @prefill on the first PROMPT tokens, then STEPS calls of
   @decode_step, each at its position with the previous call's caches, fed
   either the input's next token (teacher forcing) or the argmax of the
   previous logits (greedy).
4. Reference: the original @main (compiled by loomc from the same .mlir) on
   prompt + fed tokens, zero-padded to S. It is causal, so its row t depends
   only on tokens <= t. Every prefill row and every decode step's logits must
   match their row to a max relative error (max |diff| / max |ref| of that
   row) of 1e-4, and the greedy tokens (argmax of each row) must agree.
5. Run-time errors: a decode step at position S (past the rotary tables) must
   fail with the position-out-of-range message; one at a position other than
   the caches' next position with the mismatch message.

Prints one line per check; exits 1 on the first failure.
"""
import json
import os
import subprocess
import sys

import numpy as np

TOL = 1e-4


def run(cmd, expect_ok=True):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if expect_ok and p.returncode != 0:
        print("FAILED: " + " ".join(cmd) + "\n" + p.stdout)
        sys.exit(1)
    return p


def call(lib, inputs, outdir, workdir, expect_ok=True):
    """Runs a loomc library on arrays; returns its outputs in order (or the
    failed process when expect_ok is False)."""
    os.makedirs(outdir, exist_ok=True)
    args = []
    for i, a in enumerate(inputs):
        path = os.path.join(outdir, f"in{i}.npy")
        np.save(path, a)
        args += ["--input", path]
    p = run(["loom-run", lib] + args + ["--output-dir", outdir], expect_ok)
    if not expect_ok:
        return p
    with open(os.path.join(lib, "manifest.json")) as f:
        names = [o["name"] for o in json.load(f)["outputs"]]
    return [np.load(os.path.join(outdir, n + ".npy")) for n in names]


def rel_err(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


def main():
    model, workdir, prompt, steps = sys.argv[1], sys.argv[2], int(
        sys.argv[3]), int(sys.argv[4])
    os.makedirs(workdir, exist_ok=True)
    w = lambda *p: os.path.join(workdir, *p)
    tokens = np.load(model[:-len(".onnx")] + "_input.npy").astype(np.int64)
    batch, seq = tokens.shape

    run(["loomc", model, "--emit=mlir", "-o", w("full.mlir")])
    run(["loom-opt", w("full.mlir"),
         f"--loom-insert-kv-cache=prompt-length={prompt}", "-o", w("kv.mlir")])
    run(["loom-opt", w("kv.mlir"), "--convert-loom-to-linalg", "-o",
         w("lowered.mlir")])
    run(["loomc", w("lowered.mlir"), "--entry=prefill", "-o", w("prefill")])
    run(["loomc", w("lowered.mlir"), "--entry=decode_step", "-o",
         w("decode")])
    run(["loomc", w("full.mlir"), "-o", w("full")])

    out = call(w("prefill"), [tokens[:, :prompt]], w("out_prefill"), workdir)
    prefill_logits, prefill_caches = out[0], out[1:]
    print(f"prefill: {prompt} tokens, {len(prefill_caches) // 5} caches "
          f"({len(prefill_caches)} parts), logits {prefill_logits.shape}")

    def generate(name, greedy):
        """STEPS decode steps after the prefill; the token at position p is
        the argmax of the previous logits (greedy) or the input's token p
        (teacher forcing). Returns the sequence, step logits and caches."""
        seqs = tokens[:, :prompt].copy()
        caches = prefill_caches
        logits = []
        prev = prefill_logits[:, -1]
        for s in range(steps):
            pos = prompt + s
            tok = np.argmax(prev, axis=-1) if greedy else tokens[:, pos]
            seqs = np.concatenate([seqs, tok[:, None]], axis=1)
            out = call(w("decode"), [tok[:, None].astype(np.int64),
                                     np.array([pos], np.int64)] + caches,
                       w(f"out_{name}{s}"), workdir)
            logits.append(out[0])
            caches = out[1:]
            prev = out[0][:, -1]
        print(f"{name}: {steps} decode steps, cache length "
              f"{caches[3].tolist()}, next {caches[4].tolist()}")
        return seqs, logits, caches

    def check(name, seqs, logits):
        padded = np.zeros((batch, seq), np.int64)
        padded[:, :seqs.shape[1]] = seqs
        ref = call(w("full"), [padded], w(f"out_full_{name}"), workdir)[0]
        err = max(rel_err(prefill_logits[:, t], ref[:, t])
                  for t in range(prompt))
        print(f"{name}: prefill logits vs full sequence: max rel err "
              f"{err:.2e}")
        if err > TOL:
            print("FAILED: prefill logits differ")
            sys.exit(1)
        err = max(rel_err(l[:, 0], ref[:, prompt + s])
                  for s, l in enumerate(logits))
        print(f"{name}: decode logits vs full sequence: max rel err {err:.2e}")
        if err > TOL:
            print("FAILED: decode logits differ")
            sys.exit(1)
        # Greedy tokens of both: the argmax of each row.
        mine = np.argmax(np.concatenate([prefill_logits[:, -1:]] + logits[:-1],
                                        axis=1), axis=-1)
        theirs = np.argmax(ref[:, prompt - 1:prompt + steps - 1], axis=-1)
        if not np.array_equal(mine, theirs):
            print(f"FAILED: greedy tokens {mine.tolist()} != reference "
                  f"{theirs.tolist()}")
            sys.exit(1)
        print(f"{name}: greedy tokens match: {mine.tolist()}")

    seqs, logits, caches = generate("teacher-forced", greedy=False)
    check("teacher-forced", seqs, logits)
    seqs, logits, caches = generate("greedy", greedy=True)
    check("greedy", seqs, logits)

    # Position past the tables (whatever the caches): out-of-range error.
    tok = np.zeros((batch, 1), np.int64)
    p = call(w("decode"), [tok, np.array([seq], np.int64)] + caches,
             w("out_past"), workdir, expect_ok=False)
    print(f"decode at position {seq}: exit {p.returncode}: "
          + p.stdout.strip().splitlines()[-1])
    # Position not the caches' next one (prompt, after the prefill): error.
    nxt = int(prefill_caches[4][0])
    p = call(w("decode"), [tok, np.array([nxt + 1], np.int64)] +
             prefill_caches,
             w("out_mismatch"), workdir, expect_ok=False)
    print(f"decode at position {nxt + 1} with next {nxt}: exit "
          f"{p.returncode}: " + p.stdout.strip().splitlines()[-1])
    print("ok")


if __name__ == "__main__":
    main()
