#!/usr/bin/env python3
"""Loom's CUDA target against PyTorch eager and torch.compile, batch 1.

    # on the GPU machine (PyTorch with CUDA, numpy, onnx; onnxruntime optional)
    python3 bench/gpu/run.py --compiled DIR --models ../shared/models \
        [--reps 200] [--warmup 20] [--max-seconds 5] [--label h100] \
        [--results-dir bench/results] [--only tiny_llama,tiny_vit] \
        [--compile-modes default[,max-autotune-no-cudagraphs]] [--no-loom] \
        [--tf32] [--device cuda|cpu] [--dtype f32|f16|bf16]

For each shared tiny model NAME (../shared/models/README.md), in one process:
- Loom: DIR/NAME as `loomc NAME.onnx --target=cuda -o DIR/NAME` wrote it,
  loaded with the python/ package (loom.load); called with torch CUDA tensors,
  it enqueues on the current stream and returns CUDA tensors;
- eager: the same ONNX graph as a torch module (onnx_torch.py: one torch op per
  ONNX node, constants folded, weights as buffers on the device), f32;
- compile: torch.compile of that module, once per --compile-modes entry (each
  on its own fresh module); the first call's time is reported as compile time.

--dtype f16|bf16: DIR holds `loomc --target=cuda --dtype=...` outputs (half
storage between kernels, f32 arithmetic; f32 at the model's boundary) and the
PyTorch variants run under torch.autocast to that dtype (half matmuls and
convolutions with f32 accumulation, softmax and norms in f32): the closest
PyTorch form of the same computation. The tolerance becomes 2e-2 (of the
largest reference value), as for test/gpu/run_on_device.py.

Before timing, every variant's first output is checked against
NAME_output.npy (max abs error, max |ref|, their ratio; `ok` when the ratio is
at most 1e-4; Loom also through its numpy path), again once after timing, and
the eager module on CPU against onnxruntime and the reference. A variant that
fails to load, compile, run or match is recorded with its error (a mismatch is
still timed) and the others go on; the exit status is 1 if any variant errored
or missed the tolerance.

Timing (../shared/docs/PERF.md "How to measure"): the variants alternate call
by call (loom, eager, compile, loom, ...), first --warmup untimed rounds, then
--reps timed ones. Each timed call starts on an idle GPU: synchronize, CUDA
event, call, CUDA event, synchronize; the event interval is the call's latency
as the GPU saw it (launch gaps included: at batch 1 these models are
launch-bound), the wall interval adds the final synchronize. Then a
back-to-back figure: bursts of calls between two events, as a decode loop runs
them, per call. --max-seconds bounds each variant's share of each phase
(warm-up: a quarter of it; at least 3 timed calls).

Writes RESULTS/gpu-LABEL-DATE.json and .md (cpu-torch-LABEL-DATE.* for a
--device cpu dry run, which skips Loom) and prints the Markdown.
"""
import argparse
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import time
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

FORMAT_VERSION = 1
MODELS = ("tiny_llama", "tiny_vit", "tiny_mixtral", "tiny_moe_block")
# f32 against an f32 reference: max abs error / max |ref|.
TOLERANCE = 1e-4
# The same for models run in f16 or bf16 (--dtype).
HALF_TOLERANCE = 2e-2
# Calls per back-to-back burst.
BURST = 20


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr,
          flush=True)


def short_error(e):
    """One line for the table; the traceback goes to stderr."""
    text = str(e).strip().splitlines()
    return "%s: %s" % (type(e).__name__, text[0] if text else "")


# --- Environment --------------------------------------------------------------


def set_fp32_precision(torch, tf32):
    """Plain f32 everywhere unless --tf32: cuDNN convolutions default to TF32,
    which would put the peers at ~1e-3 error and on a faster number format."""
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.set_float32_matmul_precision("high" if tf32 else "highest")


def environment(torch, device):
    env = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"),
        "host": socket.gethostname(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "device": str(device),
        "matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32,
        "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32,
        "cudnn": torch.backends.cudnn.version(),
    }
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        env.update(device_name=torch.cuda.get_device_name(device),
                   capability="%d.%d" % (props.major, props.minor),
                   device_memory_gib=round(props.total_memory / 2**30, 1),
                   multiprocessors=props.multi_processor_count)
    else:
        env["device_name"] = platform.processor() or platform.machine()
    try:
        import onnxruntime
        env["onnxruntime"] = onnxruntime.__version__
    except ImportError:
        env["onnxruntime"] = None
    try:
        env["loom_commit"] = subprocess.run(
            ["git", "-C", REPO, "rev-parse", "HEAD"], capture_output=True,
            text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        env["loom_commit"] = None
    return env


# --- Correctness --------------------------------------------------------------


def compare(output, reference):
    output = np.asarray(output, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if output.shape != reference.shape:
        return {"error": "shape %s, reference %s" % (list(output.shape),
                                                     list(reference.shape)),
                "ok": False}
    max_err = float(np.max(np.abs(output - reference)))
    max_ref = float(np.max(np.abs(reference)))
    rel = max_err / max_ref if max_ref else max_err
    return {"max_abs_err": max_err, "max_abs_ref": max_ref, "rel_err": rel,
            "ok": bool(rel <= TOLERANCE)}  # False for NaN too


def autocast_call(torch, fn, device, dtype):
    """`fn` itself for f32, else `fn` under torch.autocast to `dtype`."""
    if dtype == "f32":
        return fn
    half = {"f16": torch.float16, "bf16": torch.bfloat16}[dtype]

    def call():
        with torch.autocast(device_type=device.type, dtype=half):
            return fn()
    return call


def first_output(result):
    return result[0] if isinstance(result, (tuple, list)) else result


def to_numpy(value):
    if isinstance(value, np.ndarray):
        return value
    return value.detach().float().cpu().numpy()


def cpu_checks(torch, onnx_torch, model, onnx_path, inputs, reference):
    """The converter itself, on CPU: eager module vs onnxruntime vs reference."""
    checks = {}
    module = onnx_torch.build(model)
    with torch.inference_mode():
        eager = to_numpy(first_output(module(*[torch.from_numpy(x)
                                               for x in inputs])))
    checks["eager_cpu_vs_ref"] = compare(eager, reference)
    try:
        import onnxruntime
    except ImportError:
        checks["onnxruntime"] = "not installed"
        return checks
    session = onnxruntime.InferenceSession(
        onnx_path, providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    ort = session.run(None, dict(zip(names, inputs)))[0]
    checks["ort_vs_ref"] = compare(ort, reference)
    checks["eager_cpu_vs_ort"] = compare(eager, ort)
    return checks


# --- Variants -----------------------------------------------------------------


class Variant:
    """One way of running a model: `call()` enqueues one inference and returns
    its outputs (not synchronised). `setup_s` is the load or compile time."""

    def __init__(self, name, call=None, error=None):
        self.name = name
        self.call = call
        self.error = error
        self.setup_s = None
        self.check = None
        self.numpy_call = None    # Loom's numpy-in, numpy-out path, if any
        self.info = {}            # what was run (a Loom directory, a mode)
        self.latency_ms = []      # CUDA-event interval per call
        self.wall_ms = []         # perf_counter interval per call (+ sync)
        self.burst_ms = []        # per-call average of each back-to-back burst

    def result(self):
        row = dict(self.info, setup_s=self.setup_s, check=self.check)
        if self.error:
            row["error"] = self.error
        for key in ("latency_ms", "wall_ms", "burst_ms"):
            samples = getattr(self, key)
            if samples:
                row[key] = summary(samples)
                row[key]["samples"] = [round(s, 5) for s in samples]
        return row


def summary(samples):
    a = np.asarray(samples)
    return {"median": float(np.median(a)), "p10": float(np.percentile(a, 10)),
            "p90": float(np.percentile(a, 90)), "min": float(a.min()),
            "n": int(a.size)}


def loom_variant(torch, directory, inputs, device):
    variant = Variant("loom")
    try:
        package = os.path.join(REPO, "python")
        if package not in sys.path:
            sys.path.insert(0, package)
        import loom
        # test/gpu/collect.py's bundles keep the loomc output in NAME/model.
        if not os.path.isfile(os.path.join(directory, "manifest.json")) and \
                os.path.isfile(os.path.join(directory, "model", "manifest.json")):
            directory = os.path.join(directory, "model")
        variant.info["directory"] = os.path.abspath(directory)
        if not os.path.isdir(directory):
            raise FileNotFoundError("no compiled model at %s" % directory)
        start = time.perf_counter()
        model = loom.load(directory)
        variant.setup_s = time.perf_counter() - start
        target = getattr(model, "target", None)
        if target != "cuda":
            raise ValueError("%s was compiled for target %r, not cuda" %
                             (directory, target))
        if len(model.inputs) != len(inputs):
            raise ValueError("model takes %d inputs, %d given" %
                             (len(model.inputs), len(inputs)))
        arrays = []
        for spec, x in zip(model.inputs, inputs):
            if tuple(spec.shape) != x.shape:
                raise ValueError("input %s: shape %s, data %s" %
                                 (spec.name, tuple(spec.shape), x.shape))
            arrays.append(np.ascontiguousarray(x, dtype=spec.dtype))
        tensors = [torch.from_numpy(x).to(device) for x in arrays]
        variant.call = lambda: model(*tensors)
        variant.numpy_call = lambda: model(*arrays)
    except Exception as e:  # noqa: BLE001  (recorded; the run goes on)
        traceback.print_exc()
        variant.error = short_error(e)
    return variant


def eager_variant(torch, onnx_torch, model, inputs, device, dtype="f32"):
    variant = Variant("eager")
    try:
        start = time.perf_counter()
        module = onnx_torch.build(model).to(device).eval()
        variant.setup_s = time.perf_counter() - start
        tensors = [torch.from_numpy(x).to(device) for x in inputs]
        variant.call = autocast_call(torch, lambda: module(*tensors), device,
                                     dtype)
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        variant.error = short_error(e)
    return variant


def compile_variant(torch, onnx_torch, model, inputs, device, mode,
                    dtype="f32"):
    """torch.compile of a fresh module (compiled code is cached per code object,
    so two modes never share one). The first call compiles: setup_s."""
    variant = Variant("compile" if mode == "default" else "compile:" + mode)
    variant.info["mode"] = mode
    try:
        module = onnx_torch.build(model).to(device).eval()
        compiled = torch.compile(module, mode=None if mode == "default" else
                                 mode)
        tensors = [torch.from_numpy(x).to(device) for x in inputs]
        call = autocast_call(torch, lambda: compiled(*tensors), device, dtype)
        start = time.perf_counter()
        call()
        synchronize(torch, device)
        variant.setup_s = time.perf_counter() - start
        variant.call = call
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        variant.error = short_error(e)
    return variant


def check_variant(torch, variant, reference, device, when="before_timing"):
    """Compares one call's first output with the reference: before timing
    (into variant.check) and again after it (a call that differs from the
    first, e.g. a race, shows there)."""
    try:
        output = first_output(variant.call())
        synchronize(torch, device)
        check = compare(to_numpy(output), reference)
        if variant.numpy_call is not None and when == "before_timing":
            check["numpy_path"] = compare(
                to_numpy(first_output(variant.numpy_call())), reference)
            check["ok"] = check["ok"] and check["numpy_path"]["ok"]
        if when == "before_timing":
            variant.check = check
        elif variant.check is not None:
            variant.check[when] = check
        if not check["ok"] and not variant.error:
            variant.error = "mismatch (%s): max abs err %s over max |ref| " \
                "%s" % (when, check.get("max_abs_err"),
                        check.get("max_abs_ref"))
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        variant.error = short_error(e)
        variant.call = None


# --- Timing -------------------------------------------------------------------


def synchronize(torch, device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_variants(torch, variants, device, reps, warmup, max_seconds):
    """Alternating per-call timing, then back-to-back bursts (see the file
    comment). A variant that raises while timed is dropped with its error."""
    cuda = device.type == "cuda"

    def run_rounds(count, budget, measure):
        start = time.perf_counter()
        active = [v for v in variants if v.call]
        budget *= len(active)
        for i in range(count):
            for variant in active:
                try:
                    measure(variant)
                except Exception as e:  # noqa: BLE001
                    traceback.print_exc()
                    variant.error = short_error(e)
                    variant.call = None
            active = [v for v in active if v.call]
            if i >= 2 and time.perf_counter() - start > budget:
                break

    def untimed(variant):
        variant.call()
        synchronize(torch, device)

    def one_call(variant):
        synchronize(torch, device)
        begin = time.perf_counter()
        if cuda:
            start_event.record()
            variant.call()
            end_event.record()
            end_event.synchronize()
            variant.latency_ms.append(start_event.elapsed_time(end_event))
        else:
            variant.call()
        variant.wall_ms.append((time.perf_counter() - begin) * 1e3)

    def burst(variant):
        synchronize(torch, device)
        begin = time.perf_counter()
        if cuda:
            start_event.record()
        for _ in range(BURST):
            variant.call()
        if cuda:
            end_event.record()
            end_event.synchronize()
            variant.burst_ms.append(start_event.elapsed_time(end_event) / BURST)
        else:
            variant.burst_ms.append((time.perf_counter() - begin) * 1e3 / BURST)

    if cuda:
        start_event = torch.cuda.Event(enable_timing=True)
        end_event = torch.cuda.Event(enable_timing=True)
    run_rounds(warmup, max_seconds / 4, untimed)
    run_rounds(reps, max_seconds, one_call)
    run_rounds(max(3, reps // BURST), max_seconds, burst)


# --- One model ----------------------------------------------------------------


def bench_model(torch, onnx_torch, args, name, device):
    import onnx
    onnx_path = os.path.join(args.models, name + ".onnx")
    model = onnx.load(onnx_path)
    inputs = [np.load(os.path.join(args.models, name + "_input.npy"))]
    if len(model.graph.input) != len(inputs):
        raise ValueError("%s has %d graph inputs; the shared models ship one"
                         % (name, len(model.graph.input)))
    reference = np.load(os.path.join(args.models, name + "_output.npy"))
    row = {"model": name, "input_shapes": [list(x.shape) for x in inputs],
           "onnx_ops": sorted(t for _, t in onnx_torch.op_types(model)),
           "onnx_nodes": len(model.graph.node)}

    log("%s: CPU checks" % name)
    try:
        row["cpu_checks"] = cpu_checks(torch, onnx_torch, model, onnx_path,
                                       inputs, reference)
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        row["cpu_checks"] = {"error": short_error(e)}

    variants = []
    if args.no_loom:
        row["loom_note"] = "--no-loom"
    elif device.type != "cuda":
        row["loom_note"] = "skipped: Loom's CUDA target needs --device cuda"
    else:
        log("%s: loading Loom" % name)
        variants.append(loom_variant(torch, os.path.join(args.compiled, name),
                                     inputs, device))
    variants.append(eager_variant(torch, onnx_torch, model, inputs, device,
                                  args.dtype))
    for mode in args.compile_modes:
        log("%s: torch.compile mode=%s" % (name, mode))
        variants.append(compile_variant(torch, onnx_torch, model, inputs,
                                        device, mode, args.dtype))
    for variant in variants:
        if variant.call:
            check_variant(torch, variant, reference, device)
    log("%s: timing %s" % (name, ", ".join(v.name for v in variants
                                              if v.call)))
    time_variants(torch, variants, device, args.reps, args.warmup,
                  args.max_seconds)
    for variant in variants:
        if variant.call:
            check_variant(torch, variant, reference, device, "after_timing")
    row["variants"] = {v.name: v.result() for v in variants}
    row["ratios"] = ratios(row["variants"])
    return row


def headline(variant):
    """The figure a row is compared on: median CUDA-event latency (wall
    latency on CPU)."""
    figures = variant.get("latency_ms") or variant.get("wall_ms")
    return figures["median"] if figures else None


def ratios(variants):
    """Loom's median over each peer's: below 1, Loom is faster."""
    loom = variants.get("loom")
    if not loom or headline(loom) is None:
        return {}
    result = {}
    for name, variant in variants.items():
        if name != "loom" and headline(variant):
            result["loom/" + name] = headline(loom) / headline(variant)
        burst = variant.get("burst_ms")
        if name != "loom" and burst and loom.get("burst_ms"):
            result["loom/%s back-to-back" % name] = (
                loom["burst_ms"]["median"] / burst["median"])
    return result


# --- Report -------------------------------------------------------------------


def fmt_ms(stats):
    return "%.4f" % stats["median"] if stats else "-"


def fmt_check(check):
    if not check:
        return "-"
    if "max_abs_err" not in check:
        return check.get("error", "-")
    return "%.2e / %.2e%s" % (check["max_abs_err"], check["max_abs_ref"],
                             "" if check["ok"] else " FAIL")


def markdown(report):
    env = report["environment"]
    clock = "CUDA events" if env["device"].startswith("cuda") else \
        "wall clock"
    lines = ["# Loom CUDA vs PyTorch, batch 1: %s" % report["label"], "",
             "%s, torch %s, CUDA %s, %s, TF32 %s. Medians of per-call latency "
             "(%s, ms); loom/X below 1: Loom is faster." % (
                 env.get("device_name"), env["torch"], env["cuda"], env["date"],
                 "on" if env["matmul_allow_tf32"] else "off", clock), ""]
    names = []
    for row in report["models"]:
        for name in row.get("variants", {}):
            if name not in names:
                names.append(name)
    peers = [n for n in names if n != "loom"]
    header = ["model"] + ["%s ms" % n for n in names] + [
        "loom/%s" % n for n in peers if "loom" in names]
    lines += ["| " + " | ".join(header) + " |",
              "|" + " --- |" * len(header)]
    for row in report["models"]:
        variants = row.get("variants", {})
        cells = [row["model"]]
        for name in names:
            variant = variants.get(name, {})
            cells.append("error" if variant.get("error") and
                         headline(variant) is None else
                         fmt_ms(variant.get("latency_ms") or
                                variant.get("wall_ms")))
        if "loom" in names:
            for name in peers:
                value = row.get("ratios", {}).get("loom/" + name)
                cells.append("%.2f" % value if value else "-")
        if "error" in row:
            cells = [row["model"], "error: " + row["error"]] + [""] * (
                len(header) - 2)
        lines.append("| " + " | ".join(cells) + " |")

    lines += ["", "| model | variant | setup s | max abs err / max abs ref | "
              "latency ms median (p10-p90) | wall ms | back-to-back ms/call | "
              "n | error |", "|" + " --- |" * 9]
    for row in report["models"]:
        for name, variant in row.get("variants", {}).items():
            latency = variant.get("latency_ms")
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                row["model"], name,
                "%.2f" % variant["setup_s"] if variant.get("setup_s") else "-",
                fmt_check(variant.get("check")),
                "%.4f (%.4f-%.4f)" % (latency["median"], latency["p10"],
                                      latency["p90"]) if latency else "-",
                fmt_ms(variant.get("wall_ms")), fmt_ms(variant.get("burst_ms")),
                (latency or variant.get("wall_ms") or {}).get("n", "-"),
                variant.get("error", "")))
        if row.get("loom_note"):
            lines.append("| %s | loom | | | | | | | %s |" % (
                row["model"], row["loom_note"]))

    lines += ["", "Converter checks on CPU (max abs err / max abs ref):", "",
              "| model | eager CPU vs ref | onnxruntime vs ref | "
              "eager CPU vs onnxruntime |", "| --- | --- | --- | --- |"]
    for row in report["models"]:
        checks = row.get("cpu_checks", {})
        lines.append("| %s | %s | %s | %s |" % (
            row["model"], fmt_check(checks.get("eager_cpu_vs_ref")),
            fmt_check(checks.get("ort_vs_ref")),
            fmt_check(checks.get("eager_cpu_vs_ort"))))
    return "\n".join(lines) + "\n"


def failed(report):
    for row in report["models"]:
        if "error" in row:
            return True
        if any(v.get("error") for v in row.get("variants", {}).values()):
            return True
        if any(isinstance(c, dict) and c.get("ok") is False
               for c in row.get("cpu_checks", {}).values()):
            return True
    return False


def default_label(torch, device):
    if device.type != "cuda":
        return platform.machine()
    name = torch.cuda.get_device_name(device).lower()
    for family in ("h200", "h100", "a100", "l40s", "b200"):
        if family in name:
            return family
    return name.replace("nvidia", "").strip().replace(" ", "-")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compiled", default=os.path.join(
        REPO, "bench", "models", "compiled-cuda"),
        help="directory with one loomc --target=cuda output per model: NAME "
        "(or NAME/model, as test/gpu/collect.py bundles them)")
    parser.add_argument("--models", default=os.path.join(
        os.path.dirname(REPO), "shared", "models"),
        help="the shared models: NAME.onnx, NAME_input.npy, NAME_output.npy")
    parser.add_argument("--only", help="comma-separated model names")
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--max-seconds", type=float, default=5.0,
                        help="time cap per variant for each timing phase")
    parser.add_argument("--compile-modes", default="default",
                        help="comma-separated torch.compile modes ('default', "
                        "'max-autotune-no-cudagraphs', ...); empty: none")
    parser.add_argument("--no-loom", action="store_true",
                        help="time only the PyTorch variants")
    parser.add_argument("--tf32", action="store_true",
                        help="let the PyTorch variants use TF32 (default: off)")
    parser.add_argument("--device", default="cuda",
                        help="cuda (default) or cpu: a dry run without Loom")
    parser.add_argument("--dtype", default="f32", choices=("f32", "f16", "bf16"),
                        help="DIR compiled with loomc --dtype; the PyTorch "
                        "variants run under torch.autocast to it")
    parser.add_argument("--label", help="results file label (default: the GPU)")
    parser.add_argument("--results-dir", default=os.path.join(REPO, "bench",
                                                              "results"))
    args = parser.parse_args()
    args.compile_modes = [m for m in args.compile_modes.split(",") if m]
    names = args.only.split(",") if args.only else list(MODELS)

    import torch
    import onnx_torch
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("error: no CUDA device (use --device cpu for a dry run)",
              file=sys.stderr)
        return 2
    set_fp32_precision(torch, args.tf32)
    if args.dtype != "f32":
        global TOLERANCE
        TOLERANCE = HALF_TOLERANCE
    label = args.label or default_label(torch, device)
    if args.dtype != "f32" and not args.label:
        label += "-" + args.dtype
    report = {"format_version": FORMAT_VERSION, "label": label,
              "environment": environment(torch, device),
              "settings": {"reps": args.reps, "warmup": args.warmup,
                           "max_seconds": args.max_seconds, "burst": BURST,
                           "compile_modes": args.compile_modes,
                           "tolerance": TOLERANCE, "dtype": args.dtype,
                           "compiled": args.compiled,
                           "models": args.models, "no_loom": args.no_loom},
              "models": []}
    start = time.perf_counter()
    with torch.inference_mode():
        for name in names:
            try:
                report["models"].append(bench_model(torch, onnx_torch, args,
                                                    name, device))
            except Exception as e:  # noqa: BLE001
                traceback.print_exc()
                report["models"].append({"model": name,
                                         "error": short_error(e)})
    report["total_s"] = time.perf_counter() - start

    os.makedirs(args.results_dir, exist_ok=True)
    prefix = "gpu" if device.type == "cuda" else "cpu-torch"
    stem = os.path.join(args.results_dir, "%s-%s-%s" % (
        prefix, label, datetime.datetime.now(datetime.timezone.utc).date()))
    table = markdown(report)
    with open(stem + ".json", "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    with open(stem + ".md", "w") as f:
        f.write(table)
    print(table)
    log("wrote %s.json and .md (%.0f s)" % (stem, report["total_s"]))
    return 1 if failed(report) else 0


if __name__ == "__main__":
    sys.exit(main())
