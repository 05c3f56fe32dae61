"""loomc --skip-tokens (loom-skip-tokens, mixture-of-depths) on tiny_vit and
tiny_llama.

    skip_tokens_models.py compile --out DIR --shared SHARED --loomc LOOMC
    skip_tokens_models.py run DIR --shared SHARED [--check BOUNDS.json]
                              [--out RESULTS.json]

`compile` writes per model DIR/MODEL/calibration/x.npy (8 random N(0,1)
images; 8 random sequences of 64 tokens) and builds with --report: `full`
(no flag) and, with the default blocks (1 and 3 of 4; the class token
pinned for the ViT, none for the causal Llama), `cap0.75` and `cap0.5`.
`run` (needs LOOM_RUNTIME_LIBRARY; --reps N also prints each library's
median latency on the saved input over N runs) runs each library on the saved input and
held-out random inputs (3 images; 7 sequences) and prints per build the
FLOPs of its report, the routers' fit (from the `loom.skip_tokens`
attribute), and against the full build: for the ViT the minimum over the
images of the cosine of the class-token output and of the mean-pooled
output; for the Llama the top-1 agreement of the logits over every
position, and the max abs error relative to max |logit|. Checked: `full`
matches the saved reference (atol 3.74e-4 and 8.6e-5, as
test/Models/tiny_vit.test and tiny_llama.test), FLOPs fall as the capacity
falls, two blocks are routed, and the floors in BOUNDS hold.
"""
import argparse
import concurrent.futures
import json
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CAPACITIES = {"cap0.75": "capacity=0.75", "cap0.5": "capacity=0.5"}
MODELS = ("tiny_vit", "tiny_llama")


def calibration(model):
    rng = np.random.default_rng(11)
    if model == "tiny_vit":
        return rng.standard_normal((8, 1, 3, 224, 224)).astype(np.float32)
    return rng.integers(0, 512, size=(8, 1, 64)).astype(np.int64)


def eval_inputs(model, saved):
    rng = np.random.default_rng(2)
    if model == "tiny_vit":
        return [saved] + [rng.standard_normal(saved.shape).astype(np.float32)
                          for _ in range(3)]
    return [saved] + [rng.integers(0, 512, size=saved.shape).astype(np.int64)
                      for _ in range(7)]


def compile_all(args):
    jobs = []
    for model in MODELS:
        calib = os.path.join(args.out, model, "calibration")
        os.makedirs(calib, exist_ok=True)
        np.save(os.path.join(calib, "x.npy"), calibration(model))
        onnx = os.path.join(args.shared, "models", model + ".onnx")
        for label, options in [("full", None)] + list(CAPACITIES.items()):
            out = os.path.join(args.out, model, label)
            cmd = [args.loomc, onnx, "-o", out, "--report=" + out + ".json"]
            if options:
                cmd += ["--skip-tokens=" + options, "--calibration=" + calib]
            jobs.append(cmd)

    def build(cmd):
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr}")

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        list(pool.map(build, jobs))


def cosine(a, b):
    return float(np.sum(a * b) / np.sqrt(np.sum(a * a) * np.sum(b * b)))


def routed_blocks(path, seq):
    """The pass's record of each routed block (loom.skip_tokens)."""
    with open(path) as f:
        text = f.read()
    return [f"block {b}: keep {k} of {seq}, R^2 {float(r):.4f}, kept tokens "
            f"carry {float(kf):.4f} of the update norm on calibration"
            for b, k, kf, r in re.findall(
                r"block = (\d+) : i64, keep = (\d+) : i64, kept_fraction = "
                r"([-0-9.e]+) : f64, pinned = array<i64[^>]*>, r2 = ([-0-9.e]+)",
                text)]


def run_model(loom, args, model, bounds, failures, results):
    shared = os.path.join(args.shared, "models")
    saved = np.load(os.path.join(shared, model + "_input.npy"))
    reference = np.load(os.path.join(shared, model + "_output.npy"))
    inputs = eval_inputs(model, saved)
    base = os.path.join(args.dir, model)
    full = None
    for label in ["full"] + list(CAPACITIES):
        lib = loom.load(os.path.join(base, label))
        outs = []
        for x in inputs:
            y = lib(x)
            y = y[0] if isinstance(y, (list, tuple)) else y
            outs.append(np.asarray(y)[0].astype(np.float64))
        if args.reps:
            lib(inputs[0])  # warm-up
            times = []
            for _ in range(args.reps):
                start = time.perf_counter()
                lib(inputs[0])
                times.append((time.perf_counter() - start) * 1e3)
            print(f"{model} {label}: median {statistics.median(times):.3f} ms "
                  f"over {args.reps} runs")
        lib.close()
        with open(os.path.join(base, label + ".json")) as f:
            flops = json.load(f)["total"]["flops"]
        name = f"{model} {label}"
        row = {"flops": flops}
        results[name] = row
        if full is None:
            full = outs
            err = float(np.max(np.abs(outs[0] - reference[0])))
            atol = 3.74e-4 if model == "tiny_vit" else 8.6e-5
            print(f"{name}: {flops} FLOPs; max abs err vs reference {err:.3g}")
            row["max_abs_err"] = err
            if err > atol:
                failures.append(f"{name}: max abs err {err:.3g} > {atol}")
            continue
        ratio = flops / results[f"{model} full"]["flops"]
        if model == "tiny_vit":
            cls = min(cosine(o[0], f[0]) for o, f in zip(outs, full))
            pooled = min(cosine(o.mean(0), f.mean(0)) for o, f in zip(outs, full))
            row.update(cls_cosine=cls, pooled_cosine=pooled)
            print(f"{name}: {flops} FLOPs ({ratio:.3f} of full); min cosine to "
                  f"full: class token {cls:.4f}, mean-pooled {pooled:.4f}")
            measured = {"cls": cls, "pooled": pooled}
        else:
            agree = float(np.mean(np.concatenate(
                [o.argmax(-1) == f.argmax(-1) for o, f in zip(outs, full)])))
            rel = max(float(np.max(np.abs(o - f)) / np.max(np.abs(f)))
                      for o, f in zip(outs, full))
            row.update(top1_agreement=agree, max_rel_err=rel)
            print(f"{name}: {flops} FLOPs ({ratio:.3f} of full); top-1 "
                  f"agreement with full {agree:.4f} over {len(outs) * 64} "
                  f"positions; max abs err / max |logit| {rel:.3f}")
            measured = {"top1": agree}
        seq = 197 if model == "tiny_vit" else 64
        fits = routed_blocks(os.path.join(base, label, "model.mlir"), seq)
        row["routers"] = fits
        for fit in sorted(fits):
            print(f"  {fit}")
        if len(fits) != 2:
            failures.append(f"{name}: {len(fits)} routed blocks, not 2")
        for key, floor in bounds.get(name, {}).items():
            if measured[key] < floor:
                failures.append(f"{name}: {key} {measured[key]:.4f} < {floor}")
    order = [results[f"{model} {l}"]["flops"] for l in ["full"] + list(CAPACITIES)]
    if not all(a > b for a, b in zip(order, order[1:])):
        failures.append(f"{model}: FLOPs do not fall with the capacity: {order}")


def run_all(args):
    sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "python"))
    import loom
    bounds = {}
    if args.check:
        with open(args.check) as f:
            bounds = json.load(f)
    failures, results = [], {}
    for model in MODELS:
        run_model(loom, args, model, bounds, failures, results)
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
    r.add_argument("--reps", type=int, default=0,
                   help="also time each library on the saved input (median)")
    r.add_argument("--out")
    args = parser.parse_args()
    if args.cmd == "compile":
        compile_all(args)
        return 0
    return run_all(args)


if __name__ == "__main__":
    sys.exit(main())
