#!/usr/bin/env python3
"""Generation with a KV cache on the shared tiny LMs: exactness without
compression, and memory and fidelity of each compression policy.

    python3 bench/kv/measure.py [--models tiny_llama,tiny_mixtral]
        [--shared ../shared] [--loomc build/bin/loomc] [--work DIR]
        [--out bench/results/kv-DATE.json] [--check BOUNDS.json]

For each model (an export of S tokens; C = S, the positions it covers):
- exactness: `loomc --generate` with a prompt of 8 tokens, greedy decode steps
  up to position S - 1; every step's logits against the full-sequence library
  run on the growing sequence (padded to S: the model is causal, so row t
  depends on tokens <= t only): max |diff| / max |ref| <= 1e-4, and the greedy
  tokens must be identical;
- compression: a prompt of 7/8 S tokens from the model's saved input, then the
  uncompressed run's greedy tokens fed to every configuration (teacher forcing,
  so every configuration is scored on the same contexts): for each decode
  step, top-1 agreement with the uncompressed logits and KL(p_uncompressed ||
  p_compressed) of the next-token distributions; KV bytes are the library's
  (manifest generate.kv_bytes: one set of cache buffers, what the caller keeps
  between steps).
Budgets are fractions of C (50% and 35%). --check fails (exit 1) when an error
exceeds its bound in BOUNDS.json or a claim does not hold.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from genlib import FullModel, Generator  # noqa: E402

MODELS = {
    # name: (export length S, observation window for SnapKV)
    "tiny_llama": (64, 4),
    "tiny_mixtral": (32, 2),
}
BUDGETS = [0.5, 0.35]


def policies(window):
    """(label, loom-kv-compress options or None, budget-dependent)."""
    return [
        ("window-sinks", "policy=window-sinks budget={b} sinks=4", True),
        ("h2o", "policy=h2o budget={b} recent=4", True),
        ("merge", "policy=merge budget={b} recent=4 threshold=0.5 sigma=1.0", True),
        ("merge-t0.1", "policy=merge budget={b} recent=4 threshold=0.1 sigma=1.0", True),
        ("snapkv", f"policy=snapkv budget={{b}} window={window} kernel=5", True),
        ("snapkv+kivi4", f"policy=snapkv+quantize budget={{b}} window={window} "
         "kernel=5 bits=4 group=4", True),
        ("kivi4", "policy=quantize bits=4 group=8", False),
        ("kivi2", "policy=quantize bits=2 group=8", False),
    ]


def compile_model(args, onnx, outdir, extra):
    cmd = [args.loomc, onnx, "-o", outdir] + extra
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}\n{result.stderr}")


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def exactness(args, name, onnx, seq, prompt_ids, work):
    prompt = 8
    full_dir = os.path.join(work, f"{name}-full")
    gen_dir = os.path.join(work, f"{name}-exact")
    compile_model(args, onnx, full_dir, [])
    compile_model(args, onnx, gen_dir, ["--generate", f"--kv-capacity={seq}",
                                        f"--prompt-length={prompt}"])
    full = FullModel(full_dir)
    gen = Generator(gen_dir)
    tokens = list(prompt_ids[:prompt])
    logits = gen.prefill(np.array(tokens))
    worst = 0.0
    same_tokens = True

    def against_full(row_logits, row):
        nonlocal worst, same_tokens
        padded = np.zeros((1, seq), np.int64)
        padded[0, :len(tokens)] = tokens
        ref = full(padded)[0][0, row]
        err = float(np.max(np.abs(row_logits - ref)) / np.max(np.abs(ref)))
        worst = max(worst, err)
        if int(np.argmax(row_logits)) != int(np.argmax(ref)):
            same_tokens = False
        return int(np.argmax(ref))

    for row in range(prompt):
        against_full(logits[row], row)
    tokens.append(int(np.argmax(logits[-1])))
    for position in range(prompt, seq):
        step = gen.step(tokens[-1], position)
        against_full(step, position)
        tokens.append(int(np.argmax(step)))
    gen.close()
    return {"prompt_length": prompt, "positions": seq,
            "max_rel_error": worst, "greedy_tokens_identical": same_tokens,
            "tokens": tokens[prompt:]}


def run_generation(outdir, prompt, forced):
    """Prefill, then one step per forced token; returns the step logits.
    Each library runs in its own process (a process that loads dozens of
    compiled models, each with its own thread pool, is not what a user runs)."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        np.save(os.path.join(tmp, "prompt.npy"), np.asarray(prompt, np.int64))
        np.save(os.path.join(tmp, "forced.npy"), np.asarray(forced, np.int64))
        out = os.path.join(tmp, "out.npz")
        subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", outdir,
                        tmp, out], check=True)
        data = np.load(out)
        return data["first"], data["rows"], int(data["kv"])


def _generation_worker(outdir, tmp, out):
    prompt = np.load(os.path.join(tmp, "prompt.npy"))
    forced = np.load(os.path.join(tmp, "forced.npy"))
    gen = Generator(outdir)
    first = gen.prefill(prompt)[-1].copy()
    rows = []
    position = len(prompt)
    for token in forced:
        rows.append(gen.step(token, position).copy())
        position += 1
    kv = gen.kv_bytes
    gen.close()
    np.savez(out, first=first, rows=np.array(rows), kv=np.int64(kv))


def compression(args, name, onnx, seq, window, prompt_ids, work):
    prompt_len = seq * 7 // 8
    prompt = np.array(prompt_ids[:prompt_len])
    base = ["--generate", f"--kv-capacity={seq}", f"--prompt-length={prompt_len}"]
    ref_dir = os.path.join(work, f"{name}-none")
    compile_model(args, onnx, ref_dir, base)
    # The uncompressed greedy run gives the tokens every configuration reads.
    gen = Generator(ref_dir)
    token = int(np.argmax(gen.prefill(prompt)[-1]))
    forced = []
    for position in range(prompt_len, seq):
        forced.append(token)
        token = int(np.argmax(gen.step(token, position)))
    gen.close()
    _, ref_rows, ref_kv = run_generation(ref_dir, prompt, forced)
    p_ref = softmax(ref_rows.astype(np.float64))
    rows = [{"config": "none", "budget": None, "options": "", "kv_bytes": ref_kv,
             "kv_ratio": 1.0, "top1": 1.0, "kl": 0.0}]
    for label, template, budgeted in policies(window):
        for budget in (BUDGETS if budgeted else [None]):
            options = template.format(b=budget)
            outdir = os.path.join(work, f"{name}-{label}-{budget}")
            try:
                compile_model(args, onnx, outdir, base + [f"--kv-compress={options}"])
            except RuntimeError as err:
                rows.append({"config": label, "budget": budget, "options": options,
                             "error": str(err).strip().splitlines()[-1]})
                continue
            _, got, kv = run_generation(outdir, prompt, forced)
            p = softmax(got.astype(np.float64))
            kl = np.sum(p_ref * (np.log(p_ref) - np.log(p)), axis=-1)
            rows.append({
                "config": label, "budget": budget, "options": options,
                "kv_bytes": kv, "kv_ratio": kv / ref_kv,
                "top1": float(np.mean(np.argmax(got, -1) == np.argmax(ref_rows, -1))),
                "kl": float(np.mean(kl)), "kl_max": float(np.max(kl))})
    return {"prompt_length": prompt_len, "capacity": seq,
            "steps": len(forced), "rows": rows}


def table(results):
    lines = ["| model | config | budget | KV bytes | vs uncompressed | top-1 | mean KL |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, res in results["models"].items():
        for row in res["compression"]["rows"]:
            budget = "-" if row["budget"] is None else f"{row['budget']:.0%}"
            if "error" in row:
                lines.append(f"| {name} | {row['config']} | {budget} | "
                             f"error: {row['error']} | | | |")
                continue
            lines.append(f"| {name} | {row['config']} | {budget} | {row['kv_bytes']:,} | "
                         f"{row['kv_ratio']:.2f}x | {row['top1']:.3f} | {row['kl']:.2e} |")
    return "\n".join(lines)


def check(results, bounds):
    failures = []
    for name, res in results["models"].items():
        exact = res["exactness"]
        if exact["max_rel_error"] > bounds.get("exact_rel_error", 1e-4):
            failures.append(f"{name}: exactness {exact['max_rel_error']:.2e}")
        if not exact["greedy_tokens_identical"]:
            failures.append(f"{name}: greedy tokens differ from the full-sequence model")
        for row in res["compression"]["rows"]:
            if "error" in row:
                failures.append(f"{name} {row['config']}: {row['error']}")
                continue
            key = f"{name}/{row['config']}/{row['budget']}"
            bound = bounds.get("kl", {}).get(key)
            if bound is not None and row["kl"] > bound:
                failures.append(f"{key}: KL {row['kl']:.4f} > {bound}")
            expected = bounds.get("kv_ratio", {}).get(key)
            if expected is not None and abs(row["kv_ratio"] - expected) > 1e-6:
                failures.append(f"{key}: KV ratio {row['kv_ratio']:.4f}, expected {expected}")
    return failures


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        _generation_worker(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--shared", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared"))
    parser.add_argument("--loomc", default="build/bin/loomc")
    parser.add_argument("--work", default="bench/models/kv")
    parser.add_argument("--out")
    parser.add_argument("--check")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    results = {"date": datetime.date.today().isoformat(), "models": {}}
    for name in args.models.split(","):
        seq, window = MODELS[name]
        onnx = os.path.join(args.shared, "models", f"{name}.onnx")
        prompt_ids = np.load(os.path.join(args.shared, "models",
                                          f"{name}_input.npy")).reshape(-1)
        res = {"exactness": exactness(args, name, onnx, seq, prompt_ids, args.work)}
        res["compression"] = compression(args, name, onnx, seq, window, prompt_ids,
                                         args.work)
        results["models"][name] = res
        exact = res["exactness"]
        print(f"{name}: exactness over positions {exact['prompt_length']}..{seq - 1}: "
              f"max rel error {exact['max_rel_error']:.2e}, greedy tokens "
              f"{'identical' if exact['greedy_tokens_identical'] else 'DIFFER'}")
    print(table(results))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)
        with open(os.path.splitext(args.out)[0] + ".md", "w") as f:
            f.write(table(results) + "\n")
    if args.check:
        with open(args.check) as f:
            failures = check(results, json.load(f))
        for failure in failures:
            print(f"FAIL: {failure}")
        if failures:
            sys.exit(1)
        print("all bounds and claims hold")


if __name__ == "__main__":
    main()
