#!/usr/bin/env python3
"""Layer skipping (loom-skip-layers) on tiny_llama: which sublayers go, top-1
agreement with the full model and latency.

    # here (needs loomc): calibration inputs, then the libraries
    python3 bench/layers/skip.py compile --out DIR [--shared ../shared]
        [--loomc build/bin/loomc] [--jobs N] [--mcpu CPU]
    # anywhere with numpy and the Loom runtime library (no MLIR): run them
    python3 bench/layers/skip.py run DIR [--reps R] [--out FILE.json]
        [--check BOUNDS.json]

`compile` writes DIR/calibration/ids.npy (8 sequences of 64 random token
ids, seed 0) and compiles tiny_llama in full, with `--skip-layers=count=0`
(scored, nothing removed) and with count=1 and count=2 at each granularity
(attention, mlp, block). Each build's `loom.skip_layers` attribute (every
candidate's cosine and the removed indices) goes to DIR/plan.json.

`run` loads each library through the runtime's C API (python/loom) and
reports: top-1 agreement with the full model (argmax of the logits per
position, over the saved input and 7 held-out random sequences, seed 1:
512 positions), the max abs error on the saved input against the saved
reference output, and the median latency of R calls on the saved input
(after 5 warm-up calls; one library loaded at a time, so that the thread
pools of several do not compete).
`--check` fails (exit 1) when a bound of the JSON file is not met: agreement
floors per build, the reference tolerance of the full and count=0 builds,
and that the removed sublayers are the highest-cosine (least changing) ones.
"""
import argparse
import concurrent.futures
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = "tiny_llama"
SEQ, VOCAB = 64, 512
GRANULARITIES = ["attention", "mlp", "block"]
COUNTS = [1, 2]


def builds():
    plan = {"full": None, "count0": "granularity=block,count=0"}
    for g in GRANULARITIES:
        for n in COUNTS:
            plan[f"{g}-{n}"] = f"granularity={g},count={n}"
    return plan


def skip_attribute(mlir_path):
    """The loom.skip_layers attribute of the compiled model.mlir."""
    with open(mlir_path) as f:
        text = f.read()
    m = re.search(r"loom\.skip_layers = \{cosine = array<f64: ([^>]*)>, "
                  r"granularity = \"(\w+)\", metric = \"cosine\", "
                  r"removed = array<i64(?:: ([^>]*))?>\}", text)
    if not m:
        raise RuntimeError(f"{mlir_path}: no loom.skip_layers attribute")
    cosine = [float(v) for v in m.group(1).split(",")]
    removed = [int(v) for v in m.group(3).split(",")] if m.group(3) else []
    return {"granularity": m.group(2), "cosine": cosine, "removed": removed}


def compile_all(args):
    os.makedirs(os.path.join(args.out, "calibration"), exist_ok=True)
    rng = np.random.default_rng(0)
    np.save(os.path.join(args.out, "calibration", "ids.npy"),
            rng.integers(0, VOCAB, size=(8, 1, SEQ), dtype=np.int64))
    onnx = os.path.join(args.shared, "models", f"{MODEL}.onnx")
    for suffix in ("input", "output"):
        np.save(os.path.join(args.out, f"{MODEL}_{suffix}.npy"),
                np.load(os.path.join(args.shared, "models", f"{MODEL}_{suffix}.npy")))

    def build(item):
        label, options = item
        outdir = os.path.join(args.out, label)
        cmd = [args.loomc, onnx, "-o", outdir]
        if args.mcpu:
            cmd.append(f"--mcpu={args.mcpu}")
        if options:
            cmd += [f"--skip-layers={options}",
                    "--calibration=" + os.path.join(args.out, "calibration")]
        start = time.perf_counter()
        subprocess.run(cmd, check=True)
        seconds = time.perf_counter() - start
        mlir = os.path.join(outdir, "model.mlir")
        info = skip_attribute(mlir) if options else None
        os.remove(mlir)
        return label, {"options": options, "skip": info,
                       "compile_s": round(seconds, 2)}

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        plan = dict(pool.map(build, builds().items()))
    with open(os.path.join(args.out, "plan.json"), "w") as f:
        json.dump(plan, f, indent=1)


def median_ms(fn, reps):
    for _ in range(5):  # warm-up
        fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def run_all(args):
    sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
    import loom
    with open(os.path.join(args.dir, "plan.json")) as f:
        plan = json.load(f)
    saved = np.load(os.path.join(args.dir, f"{MODEL}_input.npy")).reshape(1, SEQ)
    reference = np.load(os.path.join(args.dir, f"{MODEL}_output.npy"))
    rng = np.random.default_rng(1)
    inputs = [saved] + [rng.integers(0, VOCAB, size=(1, SEQ), dtype=np.int64)
                        for _ in range(7)]
    bounds = {}
    if args.check:
        with open(args.check) as f:
            bounds = json.load(f)
    failures = []
    results = {"host": platform.node(), "cpu": platform.processor(),
               "cores": os.cpu_count(),
               "env_LOOM_NUM_THREADS": os.environ.get("LOOM_NUM_THREADS"),
               "reps": args.reps, "positions": len(inputs) * SEQ, "builds": {}}
    full_top1 = None
    for label, info in plan.items():
        model = loom.load(os.path.join(args.dir, label))
        logits = [np.asarray(model(x)) for x in inputs]
        top1 = np.concatenate([l.reshape(SEQ, -1).argmax(-1) for l in logits])
        if full_top1 is None:
            full_top1 = top1
        agreement = float(np.mean(top1 == full_top1))
        ref_err = float(np.max(np.abs(logits[0] - reference)))
        ms = median_ms(lambda: model(saved), args.reps)
        skip = info["skip"]
        removed = skip["removed"] if skip else []
        cosines = [skip["cosine"][i] for i in removed] if skip else []
        row = {"options": info["options"], "removed": removed,
               "removed_cosine": cosines, "top1_agreement": agreement,
               "max_abs_err_vs_reference": ref_err, "median_ms": ms,
               "all_cosine": skip["cosine"] if skip else None}
        results["builds"][label] = row
        what = ", ".join(f"{skip['granularity']} {i} ({c:.4f})"
                         for i, c in zip(removed, cosines)) or "none"
        print(f"{label}: removed {what}; top-1 agreement {agreement:.4f}; "
              f"max abs err vs reference {ref_err:.3g}; median {ms:.3f} ms")
        # The checks.
        floor = bounds.get("min_top1_agreement", {}).get(label)
        if floor is not None and agreement < floor:
            failures.append(f"{label}: top-1 agreement {agreement:.4f} < {floor}")
        if label in bounds.get("exact", []) and ref_err > bounds["reference_atol"]:
            failures.append(f"{label}: max abs err {ref_err:.3g} > "
                            f"{bounds['reference_atol']}")
        if skip and bounds:
            count = int(re.search(r"count=(\d+)", info["options"]).group(1))
            order = sorted(range(len(skip["cosine"])),
                           key=lambda i: (-skip["cosine"][i], i))
            if sorted(removed) != sorted(order[:count]):
                failures.append(f"{label}: removed {removed}, but the {count} "
                                f"highest cosines are {order[:count]}")
        model.close()
    if bounds:
        # Scores do not depend on how many sublayers are removed.
        for g in GRANULARITIES:
            scores = [plan[f"{g}-{n}"]["skip"]["cosine"] for n in COUNTS]
            if any(s != scores[0] for s in scores):
                failures.append(f"{g}: scores differ between builds")
        print("\n".join(failures))
        print(f"{len(failures)} check(s) failed")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compile")
    c.add_argument("--out", required=True)
    c.add_argument("--loomc", default="build/bin/loomc")
    c.add_argument("--shared", default=os.path.join(HERE, "..", "..", "..", "shared"))
    c.add_argument("--mcpu", help="loomc --mcpu (default: the host CPU)")
    c.add_argument("--jobs", type=int, default=os.cpu_count())
    r = sub.add_parser("run")
    r.add_argument("dir")
    r.add_argument("--reps", type=int, default=50)
    r.add_argument("--out")
    r.add_argument("--check")
    args = parser.parse_args()
    if args.command == "compile":
        compile_all(args)
        return 0
    return run_all(args)


if __name__ == "__main__":
    sys.exit(main())
