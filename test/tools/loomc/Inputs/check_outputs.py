"""Compares raw float32 outputs written by a C host (DIR/<i>.bin) with .npy
references, one line per output, exit status 1 on a mismatch.

Usage: python check_outputs.py DIR RTOL ATOL REF0.npy [REF1.npy ...]
"""
import os
import sys

import numpy as np


def main(directory, rtol, atol, refs):
    ok = True
    for i, ref_path in enumerate(refs):
        ref = np.load(ref_path)
        got = np.fromfile(os.path.join(directory, f"{i}.bin"), dtype=ref.dtype)
        if got.size != ref.size:
            print(f"output {i}: {got.size} elements, expected {ref.size}: FAIL")
            ok = False
            continue
        got = got.reshape(ref.shape)
        err = float(np.max(np.abs(got - ref))) if ref.size else 0.0
        match = np.allclose(got, ref, rtol=rtol, atol=atol)
        print(f"output {i}: max_abs_err={err:.3e}: {'ok' if match else 'FAIL'}")
        ok &= bool(match)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]))
