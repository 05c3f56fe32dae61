#!/usr/bin/env python3
"""Peak resident memory of one call of a compiled model, in a fresh process.

    peak_rss.py OUTDIR [--threads T]

Loads OUTDIR/manifest.json and the library with ctypes (NumPy only: no
onnxruntime, whose arenas would dominate), allocates random inputs and the
outputs, records ru_maxrss, calls the model twice and records ru_maxrss
again. Prints one JSON line: the peak before and after the calls, their
difference (what the call itself needed beyond its inputs and outputs) and the
inputs' and outputs' bytes. Used for the attention memory goal (peak memory at
S=4096 not above S=512's plus the inputs and outputs).
"""

import argparse
import ctypes
import json
import os
import resource
import sys

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    os.environ["LOOM_NUM_THREADS"] = str(args.threads)
    with open(os.path.join(args.outdir, "manifest.json")) as f:
        manifest = json.load(f)
    library = ctypes.CDLL(os.path.join(args.outdir, manifest["files"]["library"]))
    run = getattr(library, manifest["entry_points"]["run"])
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal(t["shape"]).astype(t["dtype"])
              for t in manifest["inputs"]]
    outputs = [np.zeros(t["shape"], dtype=t["dtype"]) for t in manifest["outputs"]]
    pointers = [a.ctypes.data_as(ctypes.c_void_p) for a in inputs + outputs]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(2):
        if run(*pointers) != 0:
            sys.exit("error: the model returned an error code")
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "model": os.path.basename(os.path.normpath(args.outdir)),
        "threads": args.threads,
        "peak_rss_before_call_kib": before,
        "peak_rss_after_call_kib": after,
        "call_peak_increase_kib": after - before,
        "inputs_kib": sum(a.nbytes for a in inputs) // 1024,
        "outputs_kib": sum(a.nbytes for a in outputs) // 1024,
    }))


if __name__ == "__main__":
    main()
