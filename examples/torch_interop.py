#!/usr/bin/env python3
"""Loom kernels called from PyTorch on the GPU.

Two steps, because the machine that compiles (loomc: LLVM/MLIR, the CUDA
toolkit) need not be the one with the GPU (torch, the CUDA driver):

    # here: compile a single op and, when ../shared/models is there, a model
    python3 examples/torch_interop.py compile OUTDIR
    # on the GPU machine: run them on torch CUDA tensors, check against torch
    PYTHONPATH=python python3 examples/torch_interop.py run OUTDIR

`compile` writes OUTDIR/attention (a causal GQA attention op, 8 query heads
over 2 KV heads, written in the loom dialect below), OUTDIR/rms_norm and
OUTDIR/tiny_llama, each with `loomc --target=cuda` through loom.compile.

`run` loads each with loom.load and calls it on torch CUDA tensors: Loom
takes their data pointers, allocates its outputs with torch and enqueues
its kernels on torch's current stream, so it composes with torch ops and
streams like a torch op (no copies, no synchronisation). It checks the
results against PyTorch (scaled_dot_product_attention with enable_gqa, an
RMSNorm written in torch, the model's saved output) and prints the errors;
the exit status is 1 if any is over its tolerance.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "python"))

import numpy as np  # noqa: E402

import loom  # noqa: E402

HEADS, KV_HEADS, SEQ, DIM = 8, 2, 128, 64
HIDDEN = 512

ATTENTION = """
func.func @attention(%q: tensor<1x{h}x{s}x{d}xf32>, %k: tensor<1x{kv}x{s}x{d}xf32>,
                     %v: tensor<1x{kv}x{s}x{d}xf32>) -> tensor<1x{h}x{s}x{d}xf32> {{
  %o = loom.attention %q, %k, %v {{causal}}
      : (tensor<1x{h}x{s}x{d}xf32>, tensor<1x{kv}x{s}x{d}xf32>, tensor<1x{kv}x{s}x{d}xf32>)
      -> tensor<1x{h}x{s}x{d}xf32>
  return %o : tensor<1x{h}x{s}x{d}xf32>
}}
""".format(h=HEADS, kv=KV_HEADS, s=SEQ, d=DIM)

RMS_NORM = """
func.func @rms_norm(%x: tensor<{s}x{n}xf32>, %w: tensor<{n}xf32>) -> tensor<{s}x{n}xf32> {{
  %y = loom.rms_norm %x, %w {{epsilon = 1.0e-06 : f32}}
      : (tensor<{s}x{n}xf32>, tensor<{n}xf32>) -> tensor<{s}x{n}xf32>
  return %y : tensor<{s}x{n}xf32>
}}
""".format(s=SEQ, n=HIDDEN)

SHARED_MODELS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "shared",
                             "models")


def compile_all(out):
    os.makedirs(out, exist_ok=True)
    for name, text in (("attention", ATTENTION), ("rms_norm", RMS_NORM)):
        source = os.path.join(out, name + ".mlir")
        with open(source, "w") as f:
            f.write(text)
        # x86-64-v2: the host code runs on whatever CPU the GPU machine has.
        loom.compile(source, os.path.join(out, name), target="cuda",
                     mcpu="x86-64-v2")
        print("compiled", os.path.join(out, name))
    llama = os.path.join(SHARED_MODELS, "tiny_llama.onnx")
    if os.path.exists(llama):
        loom.compile(llama, os.path.join(out, "tiny_llama"), target="cuda",
                     mcpu="x86-64-v2")
        for suffix in ("input", "output"):
            data = np.load(os.path.join(SHARED_MODELS,
                                        "tiny_llama_%s.npy" % suffix))
            np.save(os.path.join(out, "tiny_llama", suffix + ".npy"), data)
        print("compiled", os.path.join(out, "tiny_llama"))
    return 0


def report(name, got, want, atol):
    err = (got.double() - want.double()).abs().max().item()
    ok = err <= atol
    print("%-10s max abs err %.2e (tolerance %.0e): %s" % (
        name, err, atol, "ok" if ok else "FAIL"))
    return ok


def run_all(out):
    try:
        import torch
    except ImportError:
        print("error: 'run' needs PyTorch with CUDA (import torch failed)",
              file=sys.stderr)
        return 1
    if not torch.cuda.is_available():
        print("error: torch sees no CUDA device", file=sys.stderr)
        return 1
    torch.manual_seed(0)
    cuda = torch.device("cuda")
    ok = True

    attention = loom.load(os.path.join(out, "attention"))
    q = torch.randn(1, HEADS, SEQ, DIM, device=cuda)
    k = torch.randn(1, KV_HEADS, SEQ, DIM, device=cuda)
    v = torch.randn(1, KV_HEADS, SEQ, DIM, device=cuda)
    # On a side stream, as inside a serving loop: Loom's kernels go on the
    # current stream, after the torch ops that produced the inputs.
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        o = attention(q, k, v)
        want = torch.nn.functional.scaled_dot_product_attention(
            q, k, v, is_causal=True, enable_gqa=True)
    torch.cuda.current_stream().wait_stream(stream)
    ok &= report("attention", o, want, 1e-4)

    rms_norm = loom.load(os.path.join(out, "rms_norm"))
    x = torch.randn(SEQ, HIDDEN, device=cuda) * 3
    w = torch.rand(HIDDEN, device=cuda)
    y = rms_norm(x, w)
    want = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * w
    ok &= report("rms_norm", y, want, 1e-4)

    llama_dir = os.path.join(out, "tiny_llama")
    if os.path.isdir(llama_dir):
        llama = loom.load(llama_dir)
        ids = torch.from_numpy(np.load(os.path.join(llama_dir, "input.npy")))
        logits = llama(ids.to(cuda))
        want = torch.from_numpy(np.load(os.path.join(llama_dir,
                                                     "output.npy")))
        ok &= report("tiny_llama", logits.cpu(), want, 1e-4)
    return 0 if ok else 1


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("compile", "run"):
        print(__doc__.strip().splitlines()[0] +
              "\nusage: torch_interop.py compile|run OUTDIR", file=sys.stderr)
        return 2
    return (compile_all if sys.argv[1] == "compile" else run_all)(sys.argv[2])


if __name__ == "__main__":
    sys.exit(main())
