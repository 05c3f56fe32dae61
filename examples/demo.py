#!/usr/bin/env python3
"""Loom demo: compile a Llama-style ONNX model with loomc and run it on the CPU.

Generates the small Llama of examples/make_llama.py (RMSNorm, RoPE, GQA attention,
SwiGLU; seeded random weights) with its onnxruntime reference logits, compiles it
with `loomc --target=cpu`, counts the `loom.attention` ops the raising produced,
runs the compiled model with `loom-run` against the reference (rtol 0, atol 1e-4 of
the largest reference magnitude) and prints the top-5 next tokens at the last
position next to the reference's. Then token generation: `loomc --generate` turns
the same full-sequence export into a prefill and a decode step over a KV cache;
`loom-run --generate` prefills 8 tokens and decodes greedily to the end of the
positions the export covers, and the demo checks every generated token against
onnxruntime running the full-sequence model on the growing sequence. The same is
compiled with an H2O-compressed cache (`--kv-compress`, half the context) and its
memory and agreement are printed. When ../shared/models (next to the repository)
holds tiny_llama.onnx, that exported HuggingFace model is run the same way.
Exits non-zero on any failure or mismatch.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SHARED_MODELS = os.path.join(os.path.dirname(REPO), "shared", "models")

TOPK = 5
REL_TOL = 1e-4  # max abs error allowed, as a fraction of max |reference|

# A loom.attention op in custom ("loom.attention %q, ...") or generic form.
ATTENTION_RE = re.compile(r'(?<![\w.])"?loom\.attention(?=["\s(])')
# The raised rotary embeddings and RMS norms, likewise.
ROPE_RE = re.compile(r'(?<![\w.])"?loom\.rope(?=["\s(])')
RMS_NORM_RE = re.compile(r'(?<![\w.])"?loom\.rms_norm(?=["\s(])')


class DemoError(Exception):
    pass


def run_tool(argv, what):
    """Runs a tool; returns its stdout, raising DemoError (with its output) on failure."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True)
    except OSError as e:
        raise DemoError(f"{what}: cannot run {argv[0]}: {e}") from e
    if proc.returncode != 0:
        out = (proc.stdout + proc.stderr).strip()
        raise DemoError(f"{what} failed (exit {proc.returncode}): {' '.join(argv)}\n{out}")
    return proc.stdout + proc.stderr


def tool(bindir, name):
    path = os.path.join(bindir, name)
    if not os.access(path, os.X_OK):
        raise DemoError(f"{path} not found (build the project first: make build)")
    return path


def io_names(onnx_path):
    """The model's first non-initializer graph input and first graph output."""
    import onnx

    graph = onnx.load(onnx_path, load_external_data=False).graph
    inits = {t.name for t in graph.initializer}
    inputs = [i.name for i in graph.input if i.name not in inits]
    if not inputs or not graph.output:
        raise DemoError(f"{onnx_path}: the graph has no input or no output")
    return inputs[0], graph.output[0].name


def top_k(row, k=TOPK):
    # Stable sort on -logit: ties keep the lower token id first.
    ids = np.argsort(-row, kind="stable")[:k]
    return [(int(i), float(row[i])) for i in ids]


def run_model(bindir, onnx_path, input_path, ref_path, workdir, expect_attention=None):
    """Compiles onnx_path with loomc, runs it on input_path and compares with ref_path.

    Prints the raised attention count, loom-run's comparison, the top-5 tokens at
    the last position (Loom vs reference) and the max abs error / max |ref|.
    Returns that ratio; raises DemoError on any failure or mismatch.
    """
    name = os.path.splitext(os.path.basename(onnx_path))[0]
    if name == "model":  # make_llama.py's DIR/model.onnx: name it after DIR
        name = os.path.basename(os.path.dirname(os.path.abspath(onnx_path)))
    loomc = os.path.join(bindir, "loomc")
    if not os.access(loomc, os.X_OK):
        raise DemoError(f"{loomc} not found: the demo compiles models with loomc "
                        f"(build it first: make build)")
    loom_run = tool(bindir, "loom-run")
    input_name, output_name = io_names(onnx_path)
    ref = np.load(ref_path)
    max_ref = float(np.abs(ref).max())
    atol = REL_TOL * max_ref

    outdir = os.path.join(workdir, name + ".loom")
    print(f"== {name}: loomc {os.path.basename(onnx_path)} --target=cpu ==")
    start = time.perf_counter()
    run_tool([loomc, onnx_path, "--target=cpu", "-o", outdir], "loomc")
    compile_s = time.perf_counter() - start
    for artifact in ("model.so", "model.h", "model.mlir", "manifest.json"):
        if not os.path.isfile(os.path.join(outdir, artifact)):
            raise DemoError(f"loomc did not write {os.path.join(outdir, artifact)}")
    with open(os.path.join(outdir, "model.mlir")) as f:
        mlir = f.read()
    attention = [line.strip() for line in mlir.splitlines() if ATTENTION_RE.search(line)]
    ropes = sum(1 for line in mlir.splitlines() if ROPE_RE.search(line))
    norms = sum(1 for line in mlir.splitlines() if RMS_NORM_RE.search(line))
    print(f"compiled in {compile_s:.1f} s -> {outdir}/model.so; "
          f"{len(attention)} loom.attention op(s) in model.mlir "
          f"(and {ropes} loom.rope, {norms} loom.rms_norm)")
    if attention:
        print("  " + attention[0][:160] + (" ..." if len(attention[0]) > 160 else ""))
    resdir = os.path.join(workdir, name + ".out")
    os.makedirs(resdir, exist_ok=True)
    print(f"== {name}: loom-run (rtol 0, atol {atol:.3g} = {REL_TOL:g} x max |ref| "
          f"{max_ref:.4g}) ==")
    proc = subprocess.run(
        [loom_run, outdir, "--input", f"{input_name}={input_path}", "--output-dir", resdir,
         "--compare", ref_path, "--rtol", "0", "--atol", f"{atol:.6g}"],
        capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    sys.stdout.flush()
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        raise DemoError(f"{name}: loom-run failed or mismatched the reference "
                        f"(exit {proc.returncode})")

    out_path = os.path.join(resdir, output_name + ".npy")
    if not os.path.isfile(out_path):
        raise DemoError(f"loom-run did not write {out_path}")
    got = np.load(out_path)
    if got.shape != ref.shape:
        raise DemoError(f"{name}: output shape {got.shape} != reference {ref.shape}")
    err = float(np.abs(got.astype(np.float64) - ref.astype(np.float64)).max())
    ratio = err / max_ref if max_ref else err

    last_got = got.reshape(-1, got.shape[-1])[-1]
    last_ref = ref.reshape(-1, ref.shape[-1])[-1]
    print(f"next token after the last position (top {TOPK}, token: logit):")
    print("  loom:      " + ", ".join(f"{i}: {v:+.4f}" for i, v in top_k(last_got)))
    print("  reference: " + ", ".join(f"{i}: {v:+.4f}" for i, v in top_k(last_ref)))
    print(f"max abs error {err:.3g}, max |ref| {max_ref:.4g}: "
          f"max_abs_err/max_abs_ref = {ratio:.3g}\n")
    if not err <= atol:
        raise DemoError(f"{name}: max abs error {err:.3g} exceeds {atol:.3g}")
    if expect_attention is not None and len(attention) != expect_attention:
        raise DemoError(f"{name}: expected {expect_attention} loom.attention ops (one per "
                        f"layer) in {outdir}/model.mlir, found {len(attention)}: the "
                        f"attention raising did not fire on this model")
    return ratio


def greedy_reference(onnx_path, prompt, steps):
    """Greedy tokens of onnxruntime on the full-sequence export, re-run on the
    growing sequence (padded to the export's length: the model is causal)."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    seq = session.get_inputs()[0].shape[1]
    tokens = list(prompt)
    for _ in range(steps):
        ids = np.zeros((1, seq), np.int64)
        ids[0, :len(tokens)] = tokens
        logits = session.run(None, {name: ids})[0]
        tokens.append(int(np.argmax(logits[0, len(tokens) - 1])))
    return tokens[len(prompt):], seq


GENERATE_RE = re.compile(r"generated \d+ tokens: ([\d ]+)")


def generate(bindir, onnx_path, input_path, workdir, prompt_len=8):
    """loomc --generate (plain and H2O-compressed) and loom-run --generate,
    checked against onnxruntime's greedy tokens on the full-sequence model."""
    loomc, loom_run = tool(bindir, "loomc"), tool(bindir, "loom-run")
    name = os.path.splitext(os.path.basename(onnx_path))[0]
    if name == "model":  # make_llama.py's DIR/model.onnx
        name = os.path.basename(os.path.dirname(onnx_path))
    ids = np.load(input_path).reshape(-1)
    prompt_path = os.path.join(workdir, f"{name}-prompt.npy")
    np.save(prompt_path, ids[None, :prompt_len].astype(np.int64))
    reference, seq = greedy_reference(onnx_path, ids[:prompt_len], 1)
    steps = seq - prompt_len + 1  # the prefill's token, then one per position
    reference, _ = greedy_reference(onnx_path, ids[:prompt_len], steps)
    results = {}
    for label, extra in [("full cache", []),
                         ("H2O, half the context", ["--kv-compress=policy=h2o,budget=0.5,recent=4"])]:
        outdir = os.path.join(workdir, f"{name}-generate-{len(results)}")
        print(f"== {name}: loomc --generate --kv-capacity={seq} --prompt-length={prompt_len} "
              + " ".join(extra) + f" ({label}) ==")
        run_tool([loomc, onnx_path, "--generate", f"--kv-capacity={seq}",
                  f"--prompt-length={prompt_len}", "-o", outdir] + extra, "loomc --generate")
        print(f"== {name}: loom-run --prompt ({prompt_len} tokens) --generate {steps} ==")
        out = run_tool([loom_run, outdir, "--prompt", prompt_path, "--generate", str(steps)],
                       "loom-run --generate")
        sys.stdout.write("  " + out.strip().replace("\n", "\n  ") + "\n")
        match = GENERATE_RE.search(out)
        if not match:
            raise DemoError(f"loom-run --generate printed no tokens:\n{out}")
        results[label] = [int(t) for t in match.group(1).split()]
    exact = results["full cache"]
    if exact != reference:
        raise DemoError(f"{name}: generated tokens {exact} differ from onnxruntime's greedy "
                        f"tokens on the full-sequence model {reference}")
    print(f"the {steps} generated tokens equal onnxruntime's greedy tokens on the "
          f"full-sequence model")
    compressed = results["H2O, half the context"]
    agree = sum(a == b for a, b in zip(compressed, exact))
    print(f"H2O at half the context: {agree} of {steps} tokens as with the full cache "
          f"(greedy, free-running: one different token changes what follows)")


def generate_llama(workdir):
    """Runs examples/make_llama.py into workdir/llama; returns that directory."""
    out = os.path.join(workdir, "llama")
    print("== make_llama.py: generate the model and its onnxruntime reference ==")
    sys.stdout.write(run_tool([sys.executable, os.path.join(HERE, "make_llama.py"),
                               "--out", out], "make_llama.py"))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--work-dir", help="keep the generated files here (default: a "
                        "temporary directory, removed afterwards)")
    args = parser.parse_args(argv)
    bindir = os.path.join(args.build_dir, "bin")
    loomc = os.path.join(bindir, "loomc")
    if not os.access(loomc, os.X_OK):
        print(f"demo: FAILED: {loomc} not found: the demo compiles models with loomc "
              f"(build it first: make build)", file=sys.stderr)
        return 1

    sys.dont_write_bytecode = True  # no __pycache__ in examples/
    sys.path.insert(0, HERE)
    import make_llama  # for the expected layer count

    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = os.path.abspath(args.work_dir or tmp)
            os.makedirs(workdir, exist_ok=True)
            gen = generate_llama(workdir)
            run_model(bindir, os.path.join(gen, "model.onnx"),
                      os.path.join(gen, "input_ids.npy"), os.path.join(gen, "logits.npy"),
                      workdir, expect_attention=make_llama.LAYERS)
            generate(bindir, os.path.join(gen, "model.onnx"),
                     os.path.join(gen, "input_ids.npy"), workdir)
            tiny = os.path.join(SHARED_MODELS, "tiny_llama.onnx")
            if os.path.isfile(tiny):
                run_model(bindir, tiny, os.path.join(SHARED_MODELS, "tiny_llama_input.npy"),
                          os.path.join(SHARED_MODELS, "tiny_llama_output.npy"), workdir,
                          expect_attention=4)
            else:
                print(f"({tiny} not present: skipping the exported HuggingFace model)")
    except DemoError as e:
        sys.stdout.flush()
        print(f"demo: FAILED: {e}", file=sys.stderr)
        return 1
    print("demo: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
