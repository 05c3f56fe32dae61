#!/usr/bin/env python3
"""Per-step latency of a decode step against re-running the full-sequence
model for every new token (with Loom and with onnxruntime).

    # here (needs loomc): compile the libraries for several prompt lengths
    python3 bench/kv/latency.py compile --out DIR [--loomc build/bin/loomc]
        [--shared ../shared] [--mcpu x86-64-v4]
    # anywhere with numpy + onnxruntime (no MLIR): time them
    LOOM_NUM_THREADS=T python3 bench/kv/latency.py run DIR [--threads T]
        [--reps R] [--out FILE.json]

A user without a cache re-runs the exported full-sequence graph on the grown
sequence for each token; the decode step reads the cache instead. For each
model and prompt length P the run step times: `model_generate_step` (median
over every position P..S-1 of several prefills), the full-sequence Loom
library and onnxruntime on the same ONNX file (median of R calls each, same
thread count), and the prefill (time to first token).
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from genlib import FullModel, Generator  # noqa: E402

MODELS = {"tiny_llama": (64, [8, 16, 32, 48]), "tiny_mixtral": (32, [8, 16, 24])}
# Compressed caches (loom-kv-compress) timed at the longest prompt.
COMPRESSED = {"window-sinks": "policy=window-sinks,budget=0.5,sinks=4",
              "h2o": "policy=h2o,budget=0.5,recent=4",
              "kivi4": "policy=quantize,bits=4,group=8"}


def compile_all(args):
    os.makedirs(args.out, exist_ok=True)
    plan = {}
    for name, (seq, prompts) in MODELS.items():
        onnx = os.path.join(args.shared, "models", f"{name}.onnx")
        shutil.copy(onnx, os.path.join(args.out, f"{name}.onnx"))
        shutil.copy(os.path.join(args.shared, "models", f"{name}_input.npy"),
                    os.path.join(args.out, f"{name}_input.npy"))
        builds = {"full": []}
        for prompt in prompts:
            builds[f"generate-p{prompt}"] = ["--generate", f"--kv-capacity={seq}",
                                             f"--prompt-length={prompt}"]
        if name == "tiny_llama":
            for label, options in COMPRESSED.items():
                builds[f"generate-p{prompts[-1]}-{label}"] = [
                    "--generate", f"--kv-capacity={seq}", f"--prompt-length={prompts[-1]}",
                    f"--kv-compress={options}"]
        for label, extra in builds.items():
            outdir = os.path.join(args.out, f"{name}-{label}")
            cmd = [args.loomc, onnx, "-o", outdir, f"--mcpu={args.mcpu}"] + extra
            subprocess.run(cmd, check=True)
            mlir = os.path.join(outdir, "model.mlir")
            if os.path.exists(mlir):
                os.remove(mlir)
        plan[name] = {"seq": seq, "prompts": prompts,
                      "compressed": list(COMPRESSED) if name == "tiny_llama" else []}
    with open(os.path.join(args.out, "plan.json"), "w") as f:
        json.dump(plan, f, indent=1)


def median_ms(fn, reps):
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def run_all(args):
    import onnxruntime as ort
    with open(os.path.join(args.dir, "plan.json")) as f:
        plan = json.load(f)
    results = {"host": platform.node(), "cpu": platform.processor(),
               "threads": args.threads, "onnxruntime": ort.__version__,
               "env_LOOM_NUM_THREADS": os.environ.get("LOOM_NUM_THREADS"),
               "models": {}}
    for name, info in plan.items():
        seq = info["seq"]
        ids = np.load(os.path.join(args.dir, f"{name}_input.npy")).reshape(1, -1)
        full = FullModel(os.path.join(args.dir, f"{name}-full"))
        full_ms = median_ms(lambda: full(ids), args.reps)
        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(os.path.join(args.dir, f"{name}.onnx"),
                                       options, providers=["CPUExecutionProvider"])
        feed = {session.get_inputs()[0].name: ids}
        ort_ms = median_ms(lambda: session.run(None, feed), args.reps)
        rows = []
        runs = [(p, "") for p in info["prompts"]] + \
            [(info["prompts"][-1], c) for c in info.get("compressed", [])]
        for prompt, compressed in runs:
            suffix = f"-{compressed}" if compressed else ""
            gen = Generator(os.path.join(args.dir, f"{name}-generate-p{prompt}{suffix}"))
            step_times, prefill_times = [], []
            rounds = max(1, args.reps // (seq - prompt))
            for _ in range(rounds + 1):
                start = time.perf_counter()
                logits = gen.prefill(ids[0, :prompt])
                prefill_times.append((time.perf_counter() - start) * 1e3)
                token = int(np.argmax(logits[-1]))
                for position in range(prompt, seq):
                    start = time.perf_counter()
                    token = int(np.argmax(gen.step(token, position)))
                    step_times.append((time.perf_counter() - start) * 1e3)
            step_times = step_times[seq - prompt:]  # the first round warms up
            step_ms = statistics.median(step_times)
            rows.append({"prompt_length": prompt, "kv_compression": compressed or "none",
                         "steps_timed": len(step_times),
                         "decode_step_ms": step_ms,
                         "prefill_ms": statistics.median(prefill_times[1:]),
                         "full_sequence_loom_ms": full_ms,
                         "full_sequence_ort_ms": ort_ms,
                         "speedup_vs_loom_full": full_ms / step_ms,
                         "speedup_vs_ort_full": ort_ms / step_ms,
                         "kv_bytes": gen.kv_bytes})
            gen.close()
            print(f"{name} P={prompt:3d}{' ' + compressed if compressed else ''}: "
                  f"decode step {step_ms:.3f} ms, "
                  f"full sequence Loom {full_ms:.3f} ms ({full_ms / step_ms:.1f}x), "
                  f"onnxruntime {ort_ms:.3f} ms ({ort_ms / step_ms:.1f}x), "
                  f"prefill {rows[-1]['prefill_ms']:.3f} ms")
        results["models"][name] = rows
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compile")
    c.add_argument("--out", required=True)
    c.add_argument("--loomc", default="build/bin/loomc")
    c.add_argument("--shared", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared"))
    c.add_argument("--mcpu", default="x86-64-v4")
    r = sub.add_parser("run")
    r.add_argument("dir")
    r.add_argument("--threads", type=int, default=1)
    r.add_argument("--reps", type=int, default=50)
    r.add_argument("--out")
    args = parser.parse_args()
    compile_all(args) if args.command == "compile" else run_all(args)


if __name__ == "__main__":
    main()
