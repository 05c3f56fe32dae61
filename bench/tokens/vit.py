#!/usr/bin/env python3
"""Token pruning (loom-drop-tokens) on tiny_vit: FLOPs, latency, accuracy.

    # here (needs loomc): compile the unpruned model and every schedule
    python3 bench/tokens/vit.py compile --out DIR [--loomc build/bin/loomc]
        [--shared ../shared] [--mcpu CPU]
    # anywhere with numpy (no MLIR, no Loom runtime): time and compare them
    python3 bench/tokens/vit.py run DIR [--reps R] [--out FILE.json]
        [--check BOUNDS.json]

For each build: FLOPs (loomc --report, report.json `total.flops`), the median
latency of R calls of the library's `model_run_packed` on the saved input
(timed round-robin over the builds, one call of each per round),
and, against the unpruned build, the cosine similarity of the CLS output
(row 0 of last_hidden_state), of the mean-pooled output (the mean over the
rows the pruned model kept: dropped rows come back as zeros from
loom.token.restore, so the kept rows are the non-zero ones; the unpruned
model averages all 197) and of the pooler output. The unpruned build and the
keep-1.0 schedule are also compared with the saved PyTorch output
(max abs error / max |ref|). `--check` asserts the bounds of a JSON file
(test/Models/Inputs/drop-tokens-bounds.json) and exits non-zero on a miss.
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kv"))
from genlib import FullModel  # noqa: E402

# label -> loomc --drop-tokens options ("" = unpruned). Schedules tighten
# down the list for the FLOPs ordering check.
BUILDS = {
    "full": "",
    "keep1.0": "layers=2:1.0",
    "L23-keep0.7": "layers=2:0.7,3:0.7",
    "L23-keep0.5": "layers=2:0.5,3:0.5",
    "stages2-keep0.5": "stages=2,ratio=0.5",
    "L23-keep0.5-l2norm": "layers=2:0.5,3:0.5,score=l2norm",
    "L23-keep0.5-received": "layers=2:0.5,3:0.5,score=attention-received",
}
MODEL = "tiny_vit"


def compile_all(args):
    os.makedirs(args.out, exist_ok=True)
    onnx = os.path.join(args.shared, "models", f"{MODEL}.onnx")
    for suffix in ("input", "output"):
        shutil.copy(os.path.join(args.shared, "models", f"{MODEL}_{suffix}.npy"),
                    os.path.join(args.out, f"{MODEL}_{suffix}.npy"))
    builds = {k: v for k, v in BUILDS.items() if not args.only or k in args.only}
    for label, options in builds.items():
        outdir = os.path.join(args.out, label)
        cmd = [args.loomc, onnx, "-o", outdir, f"--report={outdir}.report.json"]
        if args.mcpu:
            cmd.append(f"--mcpu={args.mcpu}")
        if options:
            cmd.append(f"--drop-tokens={options}")
        subprocess.run(cmd, check=True)
    with open(os.path.join(args.out, "plan.json"), "w") as f:
        json.dump({"model": MODEL, "builds": builds}, f, indent=1)


def cosine(a, b):
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def interleaved_medians_ms(fns, reps):
    """Median latency of each callable, timed round-robin (one call of each
    per round) so that load drifting on a shared machine hits all alike."""
    for fn in fns.values():
        fn()
    times = {k: [] for k in fns}
    for _ in range(reps):
        for k, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[k].append((time.perf_counter() - start) * 1e3)
    return {k: statistics.median(v) for k, v in times.items()}


def run_all(args):
    with open(os.path.join(args.dir, "plan.json")) as f:
        plan = json.load(f)
    x = np.load(os.path.join(args.dir, f"{MODEL}_input.npy"))
    ref = np.load(os.path.join(args.dir, f"{MODEL}_output.npy"))
    results = {}
    base = None
    models = {label: FullModel(os.path.join(args.dir, label))
              for label in plan["builds"]}
    latency = interleaved_medians_ms(
        {label: (lambda m=m: m(x)) for label, m in models.items()}, args.reps)
    for label, options in plan["builds"].items():
        outdir = os.path.join(args.dir, label)
        hidden, pooler = [o.copy() for o in models[label](x)]
        with open(f"{outdir}.report.json") as f:
            flops = json.load(f)["total"]["flops"]
        entry = {"options": options, "flops": flops, "latency_ms": latency[label]}
        kept = np.any(hidden[0] != 0, axis=-1)
        entry["kept_rows"] = int(kept.sum())
        if base is None:
            base = (hidden, pooler)
        entry["cls_cosine"] = cosine(hidden[0, 0], base[0][0, 0])
        entry["mean_cosine"] = cosine(hidden[0, kept].mean(axis=0),
                                      base[0][0].mean(axis=0))
        entry["pooler_cosine"] = cosine(pooler, base[1])
        entry["err_vs_reference"] = float(np.max(np.abs(hidden - ref)) /
                                          np.max(np.abs(ref)))
        results[label] = entry
        print(f"{label:22s} flops={flops:>11d} latency={entry['latency_ms']:7.3f} ms "
              f"kept_rows={entry['kept_rows']:3d} cls_cos={entry['cls_cosine']:.5f} "
              f"mean_cos={entry['mean_cosine']:.5f} pooler_cos={entry['pooler_cosine']:.5f} "
              f"err_vs_ref={entry['err_vs_reference']:.3e}")
    out = {"machine": args.label, "platform": platform.platform(),
           "processor": platform.processor(), "cpus": os.cpu_count(),
           "threads": os.environ.get("LOOM_NUM_THREADS", "default"),
           "reps": args.reps, "model": MODEL, "results": results}
    if args.out:
        with open(args.out, "w") as f:
            json.dump(out, f, indent=1)
    if args.check:
        return check(results, args.check)
    return 0


def check(results, path):
    with open(path) as f:
        bounds = json.load(f)
    misses = []
    for label, b in bounds["builds"].items():
        r = results[label]
        for key in ("cls_cosine", "mean_cosine", "pooler_cosine"):
            if key in b and not r[key] >= b[key]:
                misses.append(f"{label}: {key} {r[key]:.5f} < {b[key]}")
        if "err_vs_reference" in b and not r["err_vs_reference"] <= b["err_vs_reference"]:
            misses.append(f"{label}: err_vs_reference {r['err_vs_reference']:.3e} "
                          f"> {b['err_vs_reference']}")
        if "kept_rows" in b and r["kept_rows"] != b["kept_rows"]:
            misses.append(f"{label}: kept_rows {r['kept_rows']} != {b['kept_rows']}")
    # FLOPs fall strictly along each chain of tightening schedules.
    for chain in bounds["flops_decreasing"]:
        for a, b in zip(chain, chain[1:]):
            if not results[b]["flops"] < results[a]["flops"]:
                misses.append(f"flops of {b} ({results[b]['flops']}) not below "
                              f"{a} ({results[a]['flops']})")
    for m in misses:
        print("MISS:", m)
    print(f"{len(misses)} bound(s) exceeded")
    return 1 if misses else 0


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compile")
    c.add_argument("--out", required=True)
    c.add_argument("--loomc", default="build/bin/loomc")
    c.add_argument("--shared", default="../shared")
    c.add_argument("--mcpu", help="LLVM CPU (default: the host's)")
    c.add_argument("--only", nargs="*", help="compile only these labels")
    r = sub.add_parser("run")
    r.add_argument("dir")
    r.add_argument("--reps", type=int, default=20)
    r.add_argument("--out")
    r.add_argument("--label", default="dev VM")
    r.add_argument("--check")
    args = p.parse_args()
    if args.cmd == "compile":
        compile_all(args)
        return 0
    return run_all(args)


if __name__ == "__main__":
    sys.exit(main())
