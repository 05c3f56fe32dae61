"""`dense.py compare`: Loom's HLS output directory next to the hls4ml summary.

Loom's side is what `loomc --target=hls -o LOOM` writes: run_csim.sh and manifest.json,
estimate.json (loom-hls-estimate's JSON) and Loom's C-simulation outputs on the inputs
of make-onnx (default LOOM/outputs.npy, float, [N, 8] in input order). A missing or
unreadable file is an error that names it; nothing is assumed in its place.
"""

import json
import os
import re
import sys

import numpy as np

# Leaf keys of estimate.json read as each metric (its schema is loom-hls-estimate's;
# any nesting: one value per kernel/function is reported with its path).
METRICS = [("latency_cycles", r"latency(_cycles)?"), ("ii", r"(achieved_)?ii"),
           ("dsp", r"dsps?"), ("bram_18k", r"bram(_18k)?s?"), ("lut", r"luts?"),
           ("ff", r"ffs?")]


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def require(path, what):
    if not os.path.isfile(path):
        fail(f"missing {path}: {what}")
    return path


def load_json(path, what):
    require(path, what)
    try:
        with open(path) as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        fail(f"{path}: not valid JSON ({e})")


def leaves(obj, path=""):
    """(path, key, value) for every numeric leaf."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, f"{path}/{k}") if isinstance(v, (dict, list)) else \
                ((f"{path}/{k}", k, v),)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from leaves(v, f"{path}[{i}]")


def estimate_metrics(estimate, path):
    found = {name: [] for name, _ in METRICS}
    for where, key, value in leaves(estimate):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        for name, pattern in METRICS:
            if re.fullmatch(pattern, str(key), re.I):
                found[name].append((where, value))
    if not found["latency_cycles"]:
        fail(f"{path}: no latency (a numeric 'latency' or 'latency_cycles' field) in "
             f"the estimate")
    return found


def compare(args):
    loom = args.loom
    if not os.path.isdir(loom):
        fail(f"{loom}: no such directory (write it with `loomc dense.onnx --target=hls -o {loom}`)")
    require(os.path.join(loom, "run_csim.sh"), "loomc --target=hls writes the C-simulation script")
    manifest = load_json(os.path.join(loom, "manifest.json"), "loomc --target=hls writes it")
    est_path = os.path.join(loom, "estimate.json")
    estimate = load_json(est_path, "Loom's estimate (loom-hls-estimate json=FILE)")
    summary = load_json(os.path.join(args.hls4ml, "hls4ml_summary.json"),
                        f"run `dense.py hls4ml --out {args.hls4ml}` first")
    data = args.data or summary.get("data_dir")
    ref_path = require(os.path.join(data or args.hls4ml, "reference.npy"),
                       "make-onnx writes the float reference (pass --data)")
    ref = np.load(ref_path)
    loom_out_path = require(args.loom_outputs or os.path.join(loom, "outputs.npy"),
                            "Loom's C-simulation outputs on make-onnx's inputs (--loom-outputs)")
    loom_out = np.load(loom_out_path).astype(np.float64)
    if loom_out.size != ref.size:
        fail(f"{loom_out_path}: {loom_out.shape} outputs, the reference has {ref.shape}")
    loom_out = loom_out.reshape(ref.shape)
    h_out = np.load(require(os.path.join(args.hls4ml, "hls4ml_outputs.npy"),
                            "the hls4ml subcommand writes it")).astype(np.float64)
    metrics = estimate_metrics(estimate, est_path)

    imp = summary["implied"]
    result = {
        "loom": {"precision": manifest.get("precision") if isinstance(manifest, dict) else None,
                 "max_abs_error_vs_float": float(np.abs(loom_out - ref).max()),
                 "estimate": {k: [{"path": p, "value": v} for p, v in vs]
                              for k, vs in metrics.items()}},
        "hls4ml": {"precision": summary["precision"],
                   "reuse_factor": summary["reuse_factor_requested"],
                   "max_abs_error_vs_float": summary["error_vs_float"]["max_abs"],
                   "network_ii": imp["network_ii"], "multipliers": imp["multipliers_total"],
                   "latency_cycles": imp["latency_cycles"]},
        "max_abs_diff_loom_vs_hls4ml": float(np.abs(loom_out - h_out.reshape(ref.shape)).max()),
    }
    print(f"{'':<28} {'Loom':>16} {'hls4ml':>16}")
    print(f"{'max abs error vs float':<28} {result['loom']['max_abs_error_vs_float']:>16.4g} "
          f"{result['hls4ml']['max_abs_error_vs_float']:>16.4g}")
    h_rows = {"latency_cycles": "not exposed", "ii": imp["network_ii"],
              "dsp": f"<={imp['multipliers_total']} (mults)"}
    for name, _ in METRICS:
        values = metrics[name]
        loom_cell = ", ".join(str(v) for _, v in values) if values else "-"
        print(f"{name:<28} {loom_cell:>16} {str(h_rows.get(name, '-')):>16}")
    print(f"max abs difference Loom vs hls4ml: {result['max_abs_diff_loom_vs_hls4ml']:.4g}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2, sort_keys=True)
            f.write("\n")
