"""C simulation of a program compiled by `loomc --target=hls`, checked by
execution against Loom's CPU path.

  csim_check.py PROGRAM.mlir --work DIR [--precision fixed<W,I>]
      [--rounding conv|rnd|trn] [--overflow sat|wrap] [--bound B]
      [--rtol R --atol A] [--seed S] [--loomc-arg=ARG ...]

1. loomc PROGRAM --target=hls -o DIR/hls, then DIR/hls/run_csim.sh on random
   inputs (uniform [-1, 1), seed S) written as DIR/in/<input>.npy.
2. The CPU path on the same inputs: for fixed point, the HLS op forms
   (convert-loom-to-hls) run by `loom-run --fixed-point=W,I,..` (the same
   arithmetic, op for op); and the float reference of the original program
   (`loom-run --reference`).
3. Fixed point: C simulation == CPU path bit for bit, and the largest error
   against the float reference is at most --bound. Float: C simulation
   within --rtol/--atol of the float reference.
Exits 1 with a message on any mismatch.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, **kw)
    if r.returncode != 0:
        sys.exit("FAIL: %s\n%s" % (" ".join(cmd), r.stdout))
    return r.stdout


def main():
    p = argparse.ArgumentParser()
    p.add_argument("program")
    p.add_argument("--work", required=True)
    p.add_argument("--precision", default="float")
    p.add_argument("--rounding", default="conv")
    p.add_argument("--overflow", default="sat")
    p.add_argument("--bound", type=float, default=None)
    p.add_argument("--rtol", type=float, default=1e-5)
    p.add_argument("--atol", type=float, default=1e-6)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--loomc-arg", action="append", default=[])
    a = p.parse_args()

    work = a.work
    hls = os.path.join(work, "hls")
    run(["rm", "-rf", work])
    os.makedirs(os.path.join(work, "in"))
    run(["loomc", a.program, "--target=hls", "--hls-precision=" + a.precision,
         "--hls-rounding=" + a.rounding, "--hls-overflow=" + a.overflow,
         "-o", hls] + a.loomc_arg)
    manifest = json.load(open(os.path.join(hls, "manifest.json")))
    rng = np.random.default_rng(a.seed)
    inputs = []
    for t in manifest["inputs"]:
        path = os.path.join(work, "in", t["c_name"] + ".npy")
        np.save(path, rng.uniform(-1, 1, t["shape"]).astype(np.float32))
        inputs.append(path)
    print(run([os.path.join(hls, "run_csim.sh"), os.path.join(work, "in"),
               os.path.join(work, "csim")]).strip())
    csim = [np.load(os.path.join(work, "csim", t["c_name"] + ".npy"))
            for t in manifest["outputs"]]

    def loom_run(program, flag, out):
        cmd = ["loom-run", program, flag, "--output-dir", os.path.join(work, out)]
        for path in inputs:
            cmd += ["--input", path]
        run(cmd)
        return [np.load(os.path.join(work, out, "result%d.npy" % i))
                for i in range(len(csim))]

    reference = loom_run(a.program, "--reference", "float")
    fixed = a.precision.startswith("fixed<")
    if fixed:
        forms = os.path.join(work, "hls-forms.mlir")
        # hls.shift stays: the fixed-point emulation rounds it as the
        # kernel does (exactly, then once).
        run(["loom-opt", a.program, "--convert-loom-to-hls", "-o", forms])
        w, i = a.precision[len("fixed<"):-1].split(",")
        cpu = loom_run(forms, "--fixed-point=%s,%s,%s,%s" % (
            w.strip(), i.strip(), a.rounding, a.overflow), "cpu")
    for k, (c, r) in enumerate(zip(csim, reference)):
        err = float(np.max(np.abs(c.astype(np.float64) - r)))
        if fixed:
            differ = int(np.sum(c != cpu[k]))
            print("output %d: %d elements, %d differ from the CPU path with "
                  "the same fixed point; max |csim - float| = %.3g "
                  "(bound %g)" % (k, c.size, differ, err, a.bound))
            if differ:
                sys.exit("FAIL: C simulation and CPU fixed point differ")
            if a.bound is None or err > a.bound:
                sys.exit("FAIL: error against float above the bound")
        else:
            ok = np.allclose(c, r, rtol=a.rtol, atol=a.atol)
            print("output %d: %d elements, max |csim - float| = %.3g "
                  "(rtol %g, atol %g)" % (k, c.size, err, a.rtol, a.atol))
            if not ok:
                sys.exit("FAIL: C simulation differs from the float reference")
    print("PASS")


if __name__ == "__main__":
    main()
