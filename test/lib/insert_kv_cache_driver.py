"""Inputs and checks for test/Integration/KV/insert-kv-cache.mlir.

    python -m insert_kv_cache_driver inputs DIR
    python -m insert_kv_cache_driver compare DIR

`inputs` writes the token and position arrays the test feeds to @prefill
(tokens [3, 7, 1]), @decode_step (token 5 at position 3, token 9 at 4, and
positions 8 and 4 for the error cases) and @reference (the model on
[3, 7, 1, 5, 9, 0, 0, 0]).

`compare` checks DIR/p/result0.npy (prefill logits), DIR/d3 and DIR/d4
(decode logits at positions 3 and 4) against DIR/ref/result0.npy row by row
(the model is causal: row t depends only on tokens <= t):
max |diff| / max |ref| <= 1e-5. It also checks the caches' length and next
(5 after the two steps).
"""
import os
import sys

import numpy as np


def inputs(d):
    arrays = {
        "tokens": np.array([[3, 7, 1]]), "t3": np.array([[5]]),
        "pos3": np.array([3]), "t4": np.array([[9]]), "pos4": np.array([4]),
        "pos8": np.array([8]), "all": np.array([[3, 7, 1, 5, 9, 0, 0, 0]]),
    }
    for name, a in arrays.items():
        np.save(os.path.join(d, name + ".npy"), a.astype(np.int64))


def compare(d):
    load = lambda sub, i=0: np.load(os.path.join(d, sub, f"result{i}.npy"))
    ref = load("ref")
    ok = True

    def check(what, got, want):
        nonlocal ok
        err = float(np.max(np.abs(got - want)) / np.max(np.abs(want)))
        print(f"{what} vs reference: {'ok' if err <= 1e-5 else 'FAILED'}"
              f" (max rel err {err:.2e})")
        ok &= err <= 1e-5

    check("prefill rows 0..2", load("p")[0], ref[0, :3])
    check("decode position 3", load("d3")[0, 0], ref[0, 3])
    check("decode position 4", load("d4")[0, 0], ref[0, 4])
    length, nxt = load("d4", 4), load("d4", 5)
    print(f"cache length {length.tolist()}, next {nxt.tolist()}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    {"inputs": inputs, "compare": compare}[sys.argv[1]](sys.argv[2])
