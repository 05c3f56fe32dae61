#!/usr/bin/env python3
"""Quantization and shift-add on the shared models: error, size, bounds.

    python3 bench/quant/measure.py [--build build] [--shared ../shared]
        [--models tiny_llama,...] [--configs int8,int4-g128,...]
        [--out bench/results/quant-DATE.json] [--markdown FILE]
        [--check test/Models/Inputs/quant-bounds.json] [--work DIR]
        [--write-bounds FILE]

For each shared model and each configuration (CONFIGS below), compiles the
model with `loomc` and the configuration's flags (calibration inputs made
here, deterministically: random token sequences or images, never the
evaluation input), runs it with `loom-run` on the model's saved input, and
compares with the saved fp32 PyTorch output:

- max_abs: max |y - ref|; rel_max: max_abs / max |ref|;
- rel_l2: ||y - ref|| / ||ref||;
- top1: for the language models, the fraction of positions whose argmax
  over the vocabulary agrees with the reference's;
- weight_bytes (loomc --report: the constants the compute ops read, scales
  and zero points included), model.so bytes, compile seconds.

A configuration the model does not admit (tiny_moe_block has no linear
layer outside its loom.moe.ffn, so loom-assign-precision has nothing to
size) is recorded with its error.

With --check BOUNDS, exits 1 if any figure is worse than its bound (the
measured value with a margin, recorded in BOUNDS): a regression fails CI.
--check also checks CLAIMS (ShiftAddLLM's, at 3 bits; mixed policies
against uniform ones at the same average width). --write-bounds FILE writes such bounds from this run: relative errors times
1.25 (max 1.5), weight bytes as measured, top-1 agreement minus 0.1, and
"error": true where the configuration failed.
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

MODELS = ("tiny_llama", "tiny_vit", "tiny_mixtral", "tiny_moe_block")
LANGUAGE_MODELS = ("tiny_llama", "tiny_mixtral")

# name -> (loomc flags, needs calibration, what it is)
CONFIGS = {
    "fp32": ([], False, "no quantization"),
    "int8": (["--quantize=bits=8"], False,
             "weight-only int8, per channel, symmetric"),
    "int4-g128": (["--quantize=bits=4,granularity=group,group-size=128"],
                  False, "weight-only int4, groups of 128, symmetric"),
    "int4-g128-gptq": (["--quantize=bits=4,granularity=group,group-size=128,"
                        "rounding=gptq"], True,
                       "int4 groups of 128, GPTQ rounding"),
    "int3-g128": (["--quantize=bits=3,granularity=group,group-size=128"],
                  False, "uniform 3-bit codes, groups of 128 (int4 storage)"),
    "w8a8": (["--quantize=mode=w8a8"], False,
             "int8 weights and per-token dynamic int8 activations"),
    "w8a8-static": (["--quantize=mode=w8a8,activation-scale=static"], True,
                    "int8 weights, per-tensor calibrated activation scales"),
    "sa3-weight": (["--shiftadd=bits=3"], False,
                   "ShiftAddLLM BCQ, 3 planes, groups of 128, weight objective"),
    "sa3-output": (["--shiftadd=bits=3,objective=output"], True,
                   "BCQ 3 planes, output objective (calibrated)"),
    "sa2-weight": (["--shiftadd=bits=2"], False, "BCQ 2 planes, weight objective"),
    "sa2-output": (["--shiftadd=bits=2,objective=output"], True,
                   "BCQ 2 planes, output objective"),
    "pow2": (["--shiftadd=mode=power-of-two"], False,
             "DeepShift power-of-two weights"),
    "mixed-bcq-3": (["--shiftadd=bits=3", "--precision-budget=3"], True,
                    "BCQ, 2/3/4 planes per layer from loom-assign-precision, "
                    "3 on average"),
    "mixed-uniform-4": (["--quantize=granularity=group,group-size=128",
                         "--precision-budget=budget=4,candidates=2,3,4,8"],
                        True, "uniform codes of 2/3/4/8 bits per layer, 4 on "
                        "average"),
}


def calibration_inputs(name, shared, directory):
    """Deterministic calibration samples: 8 random token sequences or 4
    random images/hidden states, shaped like the saved input."""
    x = np.load(os.path.join(shared, "models", name + "_input.npy"))
    rng = np.random.default_rng(1234)
    os.makedirs(directory, exist_ok=True)
    if x.dtype == np.int64:
        stack = rng.integers(0, 512, size=(8,) + x.shape).astype(np.int64)
    else:
        stack = rng.standard_normal((4,) + x.shape).astype(x.dtype)
    np.save(os.path.join(directory, "samples.npy"), stack)
    return directory


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError("%s failed (%d):\n%s%s" % (
            " ".join(cmd), result.returncode, result.stdout, result.stderr))
    return result


def measure(args, name, config, work):
    flags, needs_calibration, _ = CONFIGS[config]
    shared = args.shared
    onnx_path = os.path.join(shared, "models", name + ".onnx")
    x = os.path.join(shared, "models", name + "_input.npy")
    ref = np.load(os.path.join(shared, "models", name + "_output.npy"))
    out = os.path.join(work, name, config)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    cmd = [os.path.join(args.build, "bin", "loomc"), onnx_path, "-o", out,
           "--report=" + out + ".report.json"] + flags
    if needs_calibration:
        cmd.append("--calibration=" + calibration_inputs(
            name, shared, os.path.join(work, name, "calibration")))
    start = time.perf_counter()
    try:
        run(cmd)
    except RuntimeError as e:
        last = [l for l in str(e).splitlines() if l.strip()][-1]
        return {"model": name, "config": config, "flags": flags,
                "error": last}
    compile_s = time.perf_counter() - start
    results = out + ".outputs"
    shutil.rmtree(results, ignore_errors=True)
    run([os.path.join(args.build, "bin", "loom-run"), out, "--input", x,
         "--output-dir", results])
    with open(os.path.join(out, "manifest.json")) as f:
        first = json.load(f)["outputs"][0]["name"]
    y = np.load(os.path.join(results, first + ".npy")).astype(np.float64)
    ref = ref.astype(np.float64)
    err = np.abs(y - ref)
    row = {
        "model": name, "config": config, "flags": flags,
        "max_abs": float(err.max()),
        "rel_max": float(err.max() / np.abs(ref).max()),
        "rel_l2": float(np.linalg.norm(y - ref) / np.linalg.norm(ref)),
        "compile_s": round(compile_s, 2),
        "model_so_bytes": os.path.getsize(os.path.join(out, "model.so")),
    }
    with open(out + ".report.json") as f:
        total = json.load(f)["total"]
    row["weight_bytes"] = total["weight_bytes"]
    row["parameters"] = total["parameters"]
    if name in LANGUAGE_MODELS:
        row["top1"] = float(np.mean(np.argmax(y, -1) == np.argmax(ref, -1)))
    return row


def markdown(rows):
    base = {(r["model"]): r for r in rows if r["config"] == "fp32"}
    lines = ["| model | config | weight bytes | vs fp32 | model.so bytes | "
             "max abs / max abs ref | rel L2 | top-1 agree |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        if "error" in r:
            lines.append("| %s | %s | not applicable: %s | | | | | |" % (
                r["model"], r["config"], r["error"]))
            continue
        b = base.get(r["model"])
        ratio = "%.3f" % (r["weight_bytes"] / b["weight_bytes"]) if b else ""
        lines.append("| %s | %s | %d | %s | %d | %.2e | %.2e | %s |" % (
            r["model"], r["config"], r["weight_bytes"], ratio,
            r["model_so_bytes"], r["rel_max"], r["rel_l2"],
            "%.3f" % r["top1"] if "top1" in r else ""))
    return "\n".join(lines) + "\n"


# Claims checked on every model that has the rows: (better, worse, what).
CLAIMS = (
    ("sa3-output", "int3-g128", "ShiftAddLLM: 3-bit BCQ with the output "
     "objective beats uniform 3-bit groups of 128"),
    ("mixed-bcq-3", "sa3-weight", "mixed 2/3/4 planes at 3 bits on average "
     "beat 3 planes everywhere"),
    ("mixed-uniform-4", "int4-g128", "mixed 2/3/4/8-bit codes at 4 bits on "
     "average beat int4 everywhere"),
)


def check_claims(rows):
    """Relative L2 error of each claim's better configuration below the
    worse one's, on every model with a difference to show (not
    tiny_moe_block, where nothing is rewritten)."""
    failures = 0
    by = {(r["model"], r["config"]): r for r in rows}
    for model in sorted({r["model"] for r in rows}):
        for better, worse, what in CLAIMS:
            a, b = by.get((model, better)), by.get((model, worse))
            if not a or not b or "error" in a or "error" in b:
                continue
            if min(a["rel_l2"], b["rel_l2"]) < 1e-5:
                continue  # one of them rewrote nothing (tiny_moe_block)
            ok = a["rel_l2"] < b["rel_l2"]
            print("%s %s: %s (rel L2 %.3e vs %.3e)" % (
                "claim holds" if ok else "FAIL claim", model, what,
                a["rel_l2"], b["rel_l2"]))
            failures += not ok
    return failures


def check(rows, bounds_path):
    with open(bounds_path) as f:
        bounds = json.load(f)
    failures = 0
    for r in rows:
        b = bounds.get(r["model"], {}).get(r["config"])
        if b is None:
            print("no bound for %s %s" % (r["model"], r["config"]))
            failures += 1
            continue
        if b.get("error") or "error" in r:
            if not (b.get("error") and "error" in r):
                print("FAIL %s %s: %s" % (r["model"], r["config"], r.get(
                    "error", "compiled, but the bounds expect an error")))
                failures += 1
            continue
        for key in ("rel_l2", "rel_max", "weight_bytes"):
            if key in b and not r[key] <= b[key]:
                print("FAIL %s %s: %s %.4g > bound %.4g" % (
                    r["model"], r["config"], key, r[key], b[key]))
                failures += 1
        if "top1_min" in b and not r.get("top1", 0) >= b["top1_min"]:
            print("FAIL %s %s: top1 %.4g < bound %.4g" % (
                r["model"], r["config"], r["top1"], b["top1_min"]))
            failures += 1
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--shared", default=os.path.join(
        os.path.dirname(REPO), "shared"))
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--work", default="/tmp/loom-quant-measure")
    parser.add_argument("--out", help="JSON results file")
    parser.add_argument("--markdown", help="Markdown table file")
    parser.add_argument("--check", help="bounds JSON: exit 1 on a regression")
    parser.add_argument("--write-bounds", help="write bounds from this run")
    args = parser.parse_args()
    rows = []
    for name in args.models.split(","):
        for config in args.configs.split(","):
            if config not in CONFIGS:
                parser.error("unknown config %r" % config)
            row = measure(args, name, config, args.work)
            rows.append(row)
            if "error" in row:
                print("%-15s %-16s not applicable: %s" % (name, config,
                                                         row["error"]))
                continue
            print("%-15s %-16s weight %8d B  rel_max %.3e  rel_l2 %.3e%s" % (
                name, config, row["weight_bytes"], row["rel_max"],
                row["rel_l2"],
                "  top1 %.3f" % row["top1"] if "top1" in row else ""),
                flush=True)
    table = markdown(rows)
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"date": str(datetime.date.today()),
                       "configs": {k: {"flags": v[0], "calibrated": v[1],
                                       "what": v[2]}
                                   for k, v in CONFIGS.items()},
                       "rows": rows}, f, indent=1)
            f.write("\n")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table)
    print(table)
    if args.write_bounds:
        bounds = {}
        for r in rows:
            b = bounds.setdefault(r["model"], {})
            if "error" in r:
                b[r["config"]] = {"error": True}
                continue
            b[r["config"]] = {
                "rel_l2": float("%.3g" % (r["rel_l2"] * 1.25 + 1e-6)),
                "rel_max": float("%.3g" % (r["rel_max"] * 1.5 + 1e-6)),
                "weight_bytes": r["weight_bytes"]}
            if "top1" in r:
                b[r["config"]]["top1_min"] = round(r["top1"] - 0.1, 3)
        with open(args.write_bounds, "w") as f:
            json.dump(bounds, f, indent=1, sort_keys=True)
            f.write("\n")
    if args.check:
        failures = check(rows, args.check) + check_claims(rows)
        print("%d bound(s) exceeded" % failures)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
