#!/usr/bin/env python3
"""Quantized models on the GPU against the same models on the CPU.

    python3 bench/quant/gpu_check.py DIR

DIR holds, per case NAME, `NAME/` (loomc --target=cuda with the case's
quantization flags), `NAME.input.npy` and `NAME.expected.npy` (the first
output of the CPU build of the same flags, run by loom-run here). Each case
runs through the python package (loom.load, numpy in and out) and must match
the CPU output to 1e-4 of its largest value (the GPU reassociates the f32
sums; the quantized arithmetic itself is the same). Prints one line a case;
exit status 1 if any fails. Set LOOM_RUNTIME_LIBRARY to the runtime core.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "python"))
import loom  # noqa: E402


def main(directory):
    failed = 0
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if not os.path.isdir(path):
            continue
        x = np.load(path + ".input.npy")
        want = np.load(path + ".expected.npy")
        try:
            model = loom.load(path)
            got = model(x)
            got = got[0] if isinstance(got, (tuple, list)) else got
            err = float(np.abs(got - want).max() / np.abs(want).max())
            ok = err <= 1e-4
            print("%-4s %-28s target %s, max |gpu - cpu| / max |cpu| %.2e" % (
                "ok" if ok else "FAIL", name, model.target, err))
        except Exception as e:  # noqa: BLE001
            ok = False
            print("FAIL %-28s %s: %s" % (name, type(e).__name__, e))
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
