"""Calls a `loomc --target=cuda` output directory's model_run through ctypes
on zero inputs (sizes from manifest.json) and prints the return code, its
description and the library's last error.

Usage: call_cuda_model.py OUTDIR
"""

import ctypes
import json
import os
import sys


def main():
    out = sys.argv[1]
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    lib = ctypes.CDLL(os.path.join(out, manifest["files"]["library"]))
    points = manifest["entry_points"]
    run_packed = getattr(lib, points["run_packed"])
    message = getattr(lib, points["error_message"])
    message.restype = ctypes.c_char_p
    last_error = getattr(lib, manifest["cuda"]["entry_points"]["last_error"])
    last_error.restype = ctypes.c_char_p
    buffers = [ctypes.create_string_buffer(t["byte_size"])
               for t in manifest["inputs"] + manifest["outputs"]]
    args = (ctypes.c_void_p * len(buffers))(
        *[ctypes.cast(b, ctypes.c_void_p) for b in buffers])
    code = run_packed(args)
    print(f"model_run: {code} {message(code).decode()}")
    print(f"last error: {last_error().decode()}")


if __name__ == "__main__":
    main()
