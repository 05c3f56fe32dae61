"""Fusion exactness and kernel counts on the shared models (fusion.test).

Each model is compiled by loomc with and without --fuse and run by loom-run
on its saved input. Checks, per model:
  * fused against unfused: max |fused - unfused| / max |unfused| <= 1e-5 for
    every output;
  * fused against the saved reference (first output): max abs error / max
    |ref| within the bound of the model's own test (tiny_<model>.test);
and prints the number of matmuls in the optimised IR (linalg.matmul) and the
number of kernels of the compiled @main before and after: calls into the
kernel library (GEMM, attention, MoE, convolution kernels and the thread
pool's loop launches) plus the loop nests left on the calling thread and the
buffer copies (memref.copy), each a pass over memory of its own.
Exit status 1 when a check fails.
"""

import argparse
import json
import os
import re
import subprocess
import sys

import numpy as np

# max abs error / max |ref| bounds of test/Models/tiny_<model>.test.
REFERENCE_BOUNDS = {
    "tiny_llama": 1e-4,
    "tiny_vit": 1e-4,
    "tiny_mixtral": 1e-4,
    "tiny_moe_block": 1e-4,
}
FUSION_BOUND = 1e-5


def run(cmd):
    subprocess.run(cmd, check=True)


def count_kernels(build, mlir, work):
    """Kernel-library calls and loop nests of @main after the CPU pipeline's
    loop stage (the last stage before LLVM)."""
    out = subprocess.run(
        [os.path.join(build, "bin", "loom-opt"), mlir, "--loom-cpu-pipeline",
         "--mlir-print-ir-after=convert-parallel-loops-to-cpu-pool",
         "-o", os.devnull],
        check=True, capture_output=True, text=True).stderr
    body = out.split("func.func @main(", 1)[1].split("\n  func.func ", 1)[0]
    calls = len(re.findall(r"call @loom_(?!.*alloc|.*free)\w+", body))
    loops = len(re.findall(r"^    (?:scf\.parallel|scf\.for|memref\.copy)\b",
                           body, re.M))
    return calls + loops


def compile_and_run(args, model, fuse):
    tag = "fused" if fuse else "unfused"
    lib = os.path.join(args.work, f"{model}.{tag}")
    cmd = [os.path.join(args.build, "bin", "loomc"),
           os.path.join(args.shared, "models", f"{model}.onnx"), "-o", lib]
    if fuse:
        cmd.append("--fuse")
    run(cmd)
    manifest = json.load(open(os.path.join(lib, "manifest.json")))
    inputs = [i["name"] for i in manifest["inputs"]]
    outputs = [o["name"] for o in manifest["outputs"]]
    result = os.path.join(args.work, f"{model}.{tag}.out")
    run([os.path.join(args.build, "bin", "loom-run"), lib, "--input",
         f"{inputs[0]}=" + os.path.join(args.shared, "models",
                                        f"{model}_input.npy"),
         "--output-dir", result])
    values = [np.load(os.path.join(result, f"{o}.npy")) for o in outputs]
    mlir = os.path.join(lib, "model.mlir")
    matmuls = open(mlir).read().count("linalg.matmul")
    return values, matmuls, count_kernels(args.build, mlir, args.work)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--shared", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--models", nargs="+", required=True)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    failed = 0
    for model in args.models:
        base, base_matmuls, base_kernels = compile_and_run(args, model, False)
        fused, fused_matmuls, fused_kernels = compile_and_run(args, model, True)
        worst = 0.0
        for b, f in zip(base, fused):
            scale = float(np.max(np.abs(b))) or 1.0
            worst = max(worst, float(np.max(np.abs(f - b))) / scale)
        ref = np.load(os.path.join(args.shared, "models", f"{model}_output.npy"))
        ref_error = float(np.max(np.abs(fused[0] - ref))) / float(
            np.max(np.abs(ref)))
        ok = worst <= FUSION_BOUND and ref_error <= REFERENCE_BOUNDS[model]
        failed += not ok
        print(f"{model}: matmuls {base_matmuls} -> {fused_matmuls}, "
              f"kernels {base_kernels} -> {fused_kernels}, "
              f"fused vs unfused {worst:.3e} (bound {FUSION_BOUND:g}), "
              f"fused vs reference {ref_error:.3e} "
              f"(bound {REFERENCE_BOUNDS[model]:g}): "
              f"{'ok' if ok else 'FAIL'}")
    print(f"{failed} model(s) failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
