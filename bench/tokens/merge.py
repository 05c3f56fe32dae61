"""ToMe (loom-merge-tokens) on tiny_vit: FLOPs, CPU latency and output agreement.

    python3 bench/tokens/merge.py compile --out DIR [--shared ../shared]
        [--loomc build/bin/loomc] [--mcpu CPU]
    python3 bench/tokens/merge.py run DIR [--reps N] [--out FILE.json]
        [--check BOUNDS.json]

`compile` builds the unmerged model and `--merge-tokens=r=8` and `r=16` (every
block) with `loomc --report`; `run` loads each library through python/loom (no
MLIR), times it (median of N calls after one warm-up) on the model's saved input
and compares with the unmerged library: cosine similarity of the CLS output (row 0
of last_hidden_state) and of the mean-pooled output (the mean over all 197
restored rows, i.e. size-weighted over the merged tokens). FLOPs come from each
build's report.json (loom-report). `--check` asserts the floors of a bounds file
(test/Models/merge-tokens.test), that the unmerged library matches the model's
saved output, and that FLOPs fall as r grows.
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

MODEL = "tiny_vit"
BUILDS = {"unmerged": [], "r8": ["--merge-tokens=r=8"], "r16": ["--merge-tokens=r=16"]}


def compile_all(args):
    os.makedirs(args.out, exist_ok=True)
    for name in (f"{MODEL}_input.npy", f"{MODEL}_output.npy"):
        shutil.copy(os.path.join(args.shared, "models", name), args.out)
    onnx = os.path.join(args.shared, "models", f"{MODEL}.onnx")
    for label, extra in BUILDS.items():
        outdir = os.path.join(args.out, label)
        cmd = [args.loomc, onnx, "-o", outdir, f"--report={outdir}.report.json"]
        cmd += ([f"--mcpu={args.mcpu}"] if args.mcpu else []) + extra
        print(" ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)


def cosine(a, b):
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def run_all(args):
    import loom
    x = np.load(os.path.join(args.dir, f"{MODEL}_input.npy"))
    saved = np.load(os.path.join(args.dir, f"{MODEL}_output.npy"))
    rows, outputs = [], {}
    for label, extra in BUILDS.items():
        model = loom.load(os.path.join(args.dir, label))
        hidden = model(x)[0]
        times = []
        for _ in range(args.reps):
            start = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - start) * 1e3)
        with open(os.path.join(args.dir, label, "report.json")) as f:
            flops = json.load(f)["total"]["flops"]
        outputs[label] = hidden
        base = outputs["unmerged"]
        rows.append({"build": label, "loomc_flags": extra, "flops": flops,
                     "median_ms": statistics.median(times), "reps": args.reps,
                     "cls_cosine": cosine(hidden[0, 0], base[0, 0]),
                     "mean_pooled_cosine": cosine(hidden[0].mean(0), base[0].mean(0))})
        r = rows[-1]
        print(f"{label}: flops {r['flops']} median {r['median_ms']:.3f} ms "
              f"cls cosine {r['cls_cosine']:.6f} mean-pooled cosine "
              f"{r['mean_pooled_cosine']:.6f}", flush=True)
    ref_err = float(np.abs(outputs["unmerged"] - saved).max())
    print(f"unmerged vs saved output: max abs error {ref_err:.3e}")
    result = {"model": MODEL, "host": platform.node(), "cpu": platform.processor(),
              "env_LOOM_NUM_THREADS": os.environ.get("LOOM_NUM_THREADS"),
              "unmerged_vs_saved_max_abs_error": ref_err, "rows": rows}
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)
    if args.check:
        check(args.check, rows, ref_err)


def check(path, rows, ref_err):
    with open(path) as f:
        bounds = json.load(f)
    failures = []
    if ref_err > bounds["reference_atol"]:
        failures.append(f"unmerged library differs from the saved output by {ref_err}")
    for r in rows[1:]:
        for key in ("cls_cosine", "mean_pooled_cosine"):
            floor = bounds[key][r["build"]]
            if r[key] < floor:
                failures.append(f"{r['build']}: {key} {r[key]:.6f} below {floor}")
    for a, b in zip(rows, rows[1:]):
        if not b["flops"] < a["flops"]:
            failures.append(f"FLOPs do not fall from {a['build']} to {b['build']}")
    for failure in failures:
        print("FAIL:", failure)
    if failures:
        sys.exit(1)
    print("all bounds hold")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compile")
    c.add_argument("--out", required=True)
    c.add_argument("--shared", default=os.path.join(ROOT, os.pardir, "shared"))
    c.add_argument("--loomc", default=os.path.join(ROOT, "build", "bin", "loomc"))
    c.add_argument("--mcpu", help="loomc --mcpu (default: the host CPU)")
    r = sub.add_parser("run")
    r.add_argument("dir")
    r.add_argument("--reps", type=int, default=20)
    r.add_argument("--out")
    r.add_argument("--check")
    args = parser.parse_args()
    compile_all(args) if args.cmd == "compile" else run_all(args)


if __name__ == "__main__":
    main()
