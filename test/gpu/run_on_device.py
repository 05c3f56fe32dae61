#!/usr/bin/env python3
"""Runs a bundle from test/gpu/collect.py on the GPU and checks every result.

For each entry of BUNDLE/bundle.json (every test/Integration case and every
shared model, compiled with `loomc --target=cuda`), loads the model with the
Python package (`loom.load`, the runtime library, no MLIR), runs it on the
recorded inputs through the host entry (numpy in, numpy out: copies to and
from the GPU) and compares each output with the reference: the reference
lowering's output for the cases, the saved PyTorch output for the models.
Tolerance: the case's own rtol/atol, at least rtol 1e-5 and atol 1e-4 (f32
"within 1e-4"; the GPU reassociates sums and its exp/erf/tanh come from
libdevice); models compiled with --dtype=f16|bf16: 2e-2 of the output's
largest magnitude. A case whose reference run failed with a run-time error (the KV
cache's capacity) must fail with the same code on the GPU.

With torch and a CUDA device present, each shared model also runs on torch
CUDA tensors (the device entry on torch's current stream) and must give the
host entry's bits.

A kernel fault leaves the CUDA context unusable, so cases run in worker
processes: one that dies, hangs or reports a sticky CUDA error is replaced by
a new one starting at the next case, the case recorded as failed.

Writes RESULTS/gpu-cases.json and prints one line per case and a summary;
exits 1 if any case failed.

Usage: run_on_device.py BUNDLE RESULTS [--timeout SECONDS]
"""

import datetime
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

# CUresult names after which the context is unusable.
STICKY = ("CUDA_ERROR_ILLEGAL_ADDRESS", "CUDA_ERROR_LAUNCH_FAILED",
          "CUDA_ERROR_ILLEGAL_INSTRUCTION", "CUDA_ERROR_MISALIGNED_ADDRESS",
          "CUDA_ERROR_HARDWARE_STACK_ERROR", "CUDA_ERROR_ASSERT",
          "CUDA_ERROR_INVALID_PC", "CUDA_ERROR_LAUNCH_TIMEOUT")
RTOL_FLOOR, ATOL_FLOOR = 1e-5, 1e-4


def entries(bundle):
    with open(os.path.join(bundle, "bundle.json")) as f:
        index = json.load(f)
    return [dict(e, kind="case") for e in index["cases"]] + \
        [dict(e, kind="model") for e in index["models"]]


def compare(outputs, references, rtol, atol):
    """(ok, max abs error, max |reference|, detail)."""
    worst = scale = 0.0
    ok, detail = True, ""
    for got, want in zip(outputs, references):
        if got.shape != want.shape or got.dtype != want.dtype:
            return False, None, None, "%s %s vs reference %s %s" % (
                got.shape, got.dtype, want.shape, want.dtype)
        g = got.astype(np.float64)
        w = want.astype(np.float64)
        diff = np.abs(g - w)
        if diff.size:
            finite = diff[np.isfinite(diff)]
            if finite.size:
                worst = max(worst, float(finite.max()))
            magnitudes = np.abs(w[np.isfinite(w)])
            if magnitudes.size:
                scale = max(scale, float(magnitudes.max()))
        if not np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
            ok = False
            bad = ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
            detail = "%d of %d elements differ" % (int(bad.sum()), bad.size)
    if len(outputs) < len(references):
        return False, worst, scale, "%d outputs, %d references" % (
            len(outputs), len(references))
    if len(outputs) > len(references) and ok:
        # The HF exports save their first output only (tiny_vit has two).
        detail = "the first %d of %d outputs compared (the reference has " \
            "%d)" % (len(references), len(outputs), len(references))
    return ok, worst, scale, detail


def run_entry(loom, bundle, entry, torch):
    result = {"name": entry["name"], "kind": entry["kind"]}
    for key in ("compile_error", "collect_error"):
        if key in entry:
            result["status"] = "not run"
            result["detail"] = entry[key].splitlines()[0]
            return result
    rtol = max(entry["rtol"], RTOL_FLOOR)
    atol = max(entry["atol"], ATOL_FLOOR)
    if entry.get("magnitude_bound"):
        # Half-precision models: an absolute bound set from the output's
        # largest magnitude, used as it is.
        rtol, atol = 0.0, entry["atol"]
    result["rtol"], result["atol"] = rtol, atol
    model = loom.load(os.path.join(bundle, entry["model"]))
    if model.target != "cuda":
        raise RuntimeError("%s is a %s model" % (entry["model"], model.target))
    inputs = [np.load(os.path.join(bundle, p)) for p in entry["inputs"]]
    references = [np.load(os.path.join(bundle, p))
                  for p in entry["references"]]
    start = time.perf_counter()
    try:
        outputs = model(*inputs)
    except loom.ModelRuntimeError as e:
        result["seconds"] = time.perf_counter() - start
        if entry.get("expect_runtime_error"):
            result["status"] = "ok"
            result["detail"] = "run-time error %d as on the CPU: %s" % (
                e.code, e)
        else:
            result["status"] = "FAIL"
            result["detail"] = str(e)
        return result
    result["seconds"] = time.perf_counter() - start
    if entry.get("expect_runtime_error"):
        result["status"] = "FAIL"
        result["detail"] = "no run-time error (the reference path had one)"
        return result
    if not isinstance(outputs, tuple):
        outputs = (outputs,)
    ok, worst, scale, detail = compare(list(outputs), references, rtol, atol)
    result.update(status="ok" if ok else "FAIL", max_abs_err=worst,
                  max_abs_ref=scale, detail=detail)
    if entry["kind"] == "model" and torch is not None and ok:
        on_gpu = [torch.from_numpy(a).cuda() for a in inputs]
        device_outputs = model(*on_gpu)
        if not isinstance(device_outputs, (tuple, list)):
            device_outputs = (device_outputs,)
        torch.cuda.synchronize()
        same = all(np.array_equal(d.cpu().numpy(), h, equal_nan=True)
                   for d, h in zip(device_outputs, outputs))
        result["torch_device_entry"] = ("same bits as the host entry" if same
                                        else "DIFFERS from the host entry")
        if not same:
            result["status"] = "FAIL"
    model.close()
    return result


def worker(bundle, first, results_path):
    """Runs entries from `first` on, appending one JSON line each; exits 3
    after a sticky CUDA error."""
    import loom
    try:
        import torch
        if not torch.cuda.is_available():
            torch = None
    except ImportError:
        torch = None
    todo = entries(bundle)
    with open(results_path, "a") as out:
        for i in range(first, len(todo)):
            try:
                result = run_entry(loom, bundle, todo[i], torch)
            except Exception as e:  # a load or call the runtime refused
                result = {"name": todo[i]["name"], "kind": todo[i]["kind"],
                          "status": "FAIL",
                          "detail": "%s: %s" % (type(e).__name__, e)}
            result["index"] = i
            out.write(json.dumps(result) + "\n")
            out.flush()
            if any(s in result.get("detail", "") for s in STICKY):
                return 3
    return 0


def device_description():
    try:
        return subprocess.run(
            ["nvidia-smi", "--query-gpu=name,driver_version,memory.total",
             "--format=csv,noheader"], stdout=subprocess.PIPE, text=True,
            check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (nvidia-smi failed)"


def main():
    if sys.argv[1] == "--worker":
        return worker(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    bundle, results_dir = sys.argv[1], sys.argv[2]
    timeout = 600
    if "--timeout" in sys.argv:
        timeout = float(sys.argv[sys.argv.index("--timeout") + 1])
    os.makedirs(results_dir, exist_ok=True)
    lines = os.path.join(results_dir, "gpu-cases.jsonl")
    if os.path.exists(lines):
        os.remove(lines)
    todo = entries(bundle)
    started = time.time()
    first = 0
    while first < len(todo):
        try:
            code = subprocess.call([sys.executable, __file__, "--worker",
                                    bundle, str(first), lines],
                                   timeout=timeout)
        except subprocess.TimeoutExpired:
            code = "timeout"
        done = []
        if os.path.exists(lines):
            with open(lines) as f:
                done = [json.loads(l) for l in f if l.strip()]
        next_index = max([d["index"] for d in done] + [first - 1]) + 1
        if code == 0 and next_index >= len(todo):
            break
        if code not in (0, 3):
            # The worker died (or hung) in entry next_index.
            with open(lines, "a") as f:
                f.write(json.dumps({
                    "index": next_index, "name": todo[next_index]["name"],
                    "kind": todo[next_index]["kind"], "status": "FAIL",
                    "detail": "the worker process %s" % (
                        "timed out" if code == "timeout"
                        else "exited with %s" % code)}) + "\n")
            next_index += 1
        first = next_index

    with open(lines) as f:
        results = sorted((json.loads(l) for l in f if l.strip()),
                         key=lambda r: r["index"])
    for r in results:
        err = r.get("max_abs_err")
        print("%-7s %-5s %s%s%s" % (
            r["status"], r["kind"], r["name"],
            "  max abs err %.2e (|ref| <= %.3g, rtol %g, atol %g)" % (
                err, r["max_abs_ref"], r["rtol"], r["atol"])
            if err is not None else "",
            ("  " + r["detail"]) if r.get("detail") else ""))
        if r.get("torch_device_entry"):
            print("        torch CUDA tensors: %s" % r["torch_device_entry"])
    counts = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    summary = {
        "date": datetime.date.today().isoformat(),
        "device": device_description(),
        "host": platform.node(),
        "bundle": os.path.abspath(bundle),
        "seconds": round(time.time() - started, 1),
        "counts": counts,
        "results": results,
    }
    with open(os.path.join(bundle, "bundle.json")) as f:
        summary["gpu_arch"] = json.load(f)["gpu_arch"]
    with open(os.path.join(results_dir, "gpu-cases.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print("device: %s" % summary["device"])
    print("summary: %s in %.0f s" % (
        ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items())),
        summary["seconds"]))
    return 1 if counts.get("FAIL") else 0


if __name__ == "__main__":
    sys.exit(main())
