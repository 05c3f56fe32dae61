"""Robustness check: the importer must answer every corrupted model with a
clean exit status (0 or 1 with an `error:` line), never a crash.

Usage: python mutate.py IMPORTER MODEL.onnx OUTDIR [COUNT]
Applies COUNT seeded mutations (truncations, byte flips, byte runs) to MODEL
and runs IMPORTER on each; prints `ok N` or the first crashing case and exits 1.
"""
import os
import random
import subprocess
import sys


def main():
    importer, model, out = sys.argv[1], sys.argv[2], sys.argv[3]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 150
    os.makedirs(out, exist_ok=True)
    data = open(model, "rb").read()
    rng = random.Random(7)
    for i in range(count):
        b = bytearray(data)
        kind = i % 3
        if kind == 0:
            b = b[: rng.randrange(len(b))]
        elif kind == 1:
            for _ in range(rng.randrange(1, 8)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        else:
            pos = rng.randrange(len(b))
            b[pos:pos + 8] = bytes([rng.choice([0x00, 0xFF, 0x7F, 0x80])]) * 8
        path = os.path.join(out, "mutant.onnx")
        with open(path, "wb") as f:
            f.write(bytes(b))
        p = subprocess.run([importer, path, "-o", os.path.join(out, "mutant.mlir")],
                           capture_output=True, timeout=60)
        err = p.stderr.decode("utf-8", "replace").strip()
        # protobuf may warn about invalid UTF-8 first; the last line is ours.
        last = err.splitlines()[-1] if err else ""
        bad = p.returncode not in (0, 1) or (p.returncode == 1 and
                                             not last.startswith("error: "))
        if bad:
            keep = os.path.join(out, "crash_%d.onnx" % i)
            os.replace(path, keep)
            print("mutation %d (kind %d) exit %d: %s -> %s" %
                  (i, kind, p.returncode, err[:200], keep))
            sys.exit(1)
    print("ok %d" % count)


if __name__ == "__main__":
    main()
