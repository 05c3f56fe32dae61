"""loomc --skip-tokens (loom-skip-tokens, mixture-of-depths) on tiny_vit.

    skip_tokens_vit.py compile --out DIR --shared SHARED --loomc LOOMC
    skip_tokens_vit.py run DIR [--check BOUNDS.json] [--out RESULTS.json]

`compile` writes DIR/calibration/x.npy (8 random N(0,1) images) and builds
with --report: `full` (no flag) and, with the default blocks (1 and 3 of 4)
and the class token pinned, `cap0.75` and `cap0.5`. `run` (needs
LOOM_RUNTIME_LIBRARY) runs each library on the saved input and 3 held-out
random images and prints per build the FLOPs of its report, the remarks'
router fit, and the cosine similarity to the full model of the class-token
output and of the mean-pooled output (the minimum over the 4 images) and
the max abs error of `full` against the saved reference. With --check:
FLOPs must fall as the capacity falls, `full` must match the reference
(atol 3.74e-4, as test/Models/tiny_vit.test), and the cosines must stay
above the floors in BOUNDS.
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BUILDS = {"full": None, "cap0.75": "capacity=0.75", "cap0.5": "capacity=0.5"}


def compile_all(args):
    os.makedirs(os.path.join(args.out, "calibration"), exist_ok=True)
    np.save(os.path.join(args.out, "calibration", "x.npy"),
            np.random.default_rng(11).standard_normal((8, 1, 3, 224, 224))
            .astype(np.float32))
    model = os.path.join(args.shared, "models", "tiny_vit.onnx")

    def build(item):
        label, options = item
        cmd = [args.loomc, model, "-o", os.path.join(args.out, label),
               "--report=" + os.path.join(args.out, label + ".json")]
        if options:
            cmd += ["--skip-tokens=" + options,
                    "--calibration=" + os.path.join(args.out, "calibration")]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"{label}: {' '.join(cmd)} failed:\n{done.stderr}")

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        list(pool.map(build, BUILDS.items()))


def cosine(a, b):
    return float(np.sum(a * b) / np.sqrt(np.sum(a * a) * np.sum(b * b)))


def run_all(args):
    sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "python"))
    import loom
    shared = os.path.join(args.shared, "models")
    saved = np.load(os.path.join(shared, "tiny_vit_input.npy"))
    reference = np.load(os.path.join(shared, "tiny_vit_output.npy"))
    rng = np.random.default_rng(2)
    images = [saved] + [rng.standard_normal(saved.shape).astype(np.float32)
                        for _ in range(3)]
    bounds = {}
    if args.check:
        with open(args.check) as f:
            bounds = json.load(f)
    failures, results, full = [], {}, None
    for label in BUILDS:
        model = loom.load(os.path.join(args.dir, label))
        outs = [np.asarray(model(x)[0])[0].astype(np.float64) for x in images]
        model.close()
        with open(os.path.join(args.dir, label + ".json")) as f:
            flops = json.load(f)["total"]["flops"]
        if full is None:
            full = outs
            err = float(np.max(np.abs(outs[0] - reference[0])))
            print(f"full: {flops} FLOPs; max abs err vs reference {err:.3g}")
            if err > 3.74e-4:
                failures.append(f"full: max abs err {err:.3g} > 3.74e-4")
            results[label] = {"flops": flops, "max_abs_err": err}
            continue
        cls = min(cosine(o[0], f[0]) for o, f in zip(outs, full))
        pooled = min(cosine(o.mean(0), f.mean(0)) for o, f in zip(outs, full))
        with open(os.path.join(args.dir, label, "model.mlir")) as f:
            text = f.read()
        # The pass's record of each routed block (loom.skip_tokens).
        fits = [f"block {b}: keep {k} of 197, R^2 {float(r):.4f}, kept "
                f"tokens carry {float(kf):.4f} of the update norm on calibration"
                for b, k, kf, r in re.findall(
                    r"block = (\d+) : i64, keep = (\d+) : i64, kept_fraction = "
                    r"([-0-9.e]+) : f64, pinned = array<i64[^>]*>, r2 = ([-0-9.e]+)",
                    text)]
        if len(fits) != 2:
            failures.append(f"{label}: {len(fits)} routed blocks, not 2")
        print(f"{label}: {flops} FLOPs ({flops / results['full']['flops']:.3f}"
              f" of full); min cosine to full: class token {cls:.4f}, "
              f"mean-pooled {pooled:.4f}")
        for fit in sorted(fits):
            print(f"  {fit}")
        results[label] = {"flops": flops, "cls_cosine": cls,
                          "pooled_cosine": pooled, "routers": fits}
        floor = bounds.get(label, {})
        if cls < floor.get("cls", -1):
            failures.append(f"{label}: class-token cosine {cls:.4f} < {floor['cls']}")
        if pooled < floor.get("pooled", -1):
            failures.append(f"{label}: mean-pooled cosine {pooled:.4f} < {floor['pooled']}")
    if bounds:
        order = [results[l]["flops"] for l in BUILDS]
        if not all(a > b for a, b in zip(order, order[1:])):
            failures.append(f"FLOPs do not fall with the capacity: {order}")
        print("\n".join(failures))
        print(f"{len(failures)} check(s) failed")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compile")
    c.add_argument("--out", required=True)
    c.add_argument("--shared", required=True)
    c.add_argument("--loomc", required=True)
    r = sub.add_parser("run")
    r.add_argument("dir")
    r.add_argument("--shared", required=True)
    r.add_argument("--check")
    r.add_argument("--out")
    args = parser.parse_args()
    if args.cmd == "compile":
        compile_all(args)
        return 0
    return run_all(args)


if __name__ == "__main__":
    sys.exit(main())
