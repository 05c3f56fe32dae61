#!/usr/bin/env python3
"""Builds the bundle that test/gpu/run_on_device.sh runs on a GPU machine.

The GPU machine has no LLVM/MLIR, so everything is compiled here:

1. Every execution case of test/Integration (each `loom-run` RUN line that
   runs an .mlir function) is recorded by running lit with
   `--param loom-record-cases=DIR` (test/lib/loom_run_both.py): its source,
   entry, --input files, random seed, tolerances, exit status and the
   outputs of the reference lowering, the oracle every other lowering is
   tested against.
2. Each (source, entry) is compiled with `loomc --target=cuda`; each case's
   inputs are materialised (the --input files, then loom-run's --random-seed
   stream for the rest: loom.RandomInputs is the same generator) and, with
   --verify (the default), checked here: `loom-run --reference` on the
   materialised inputs must reproduce the recorded outputs bit for bit.
3. Each shared model (../shared/models: NAME.onnx, NAME_input.npy,
   NAME_output.npy) is compiled with `loomc --target=cuda`, its input and
   reference output copied next to it.

The bundle keeps only what a run needs (model.so, manifest.json, model.h)
and an index, bundle.json. Host code is compiled for --mcpu (default
x86-64-v2) so that it runs on whatever CPU the GPU machine has.

Usage: collect.py --build BUILD --out BUNDLE [--gpu-arch sm_90]
                  [--models ../shared/models] [--no-verify] [--onnx]
                  [--skip-cases] [--skip-models] [--record-dir DIR]
                  [--cuda-graph] [--dtype f16|bf16]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
KEEP = ("model.so", "manifest.json", "model.h")
MODELS = ("tiny_llama", "tiny_vit", "tiny_mixtral", "tiny_moe_block")


def loomc(args, build, source, out, entry=None):
    """Compiles `source` for cuda into `out`; returns None or loomc's
    error text."""
    command = [os.path.join(build, "bin", "loomc"), source, "--target=cuda",
               "--gpu-arch=" + args.gpu_arch, "--mcpu=" + args.mcpu,
               "-o", out]
    if entry:
        command.append("--entry=" + entry)
    if args.cuda_graph:
        command.append("--cuda-graph")
    if args.dtype != "f32":
        command.append("--dtype=" + args.dtype)
    result = subprocess.run(command, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        return result.stdout.strip() or "loomc exited %d" % result.returncode
    for name in os.listdir(out):
        if name not in KEEP:
            path = os.path.join(out, name)
            (shutil.rmtree if os.path.isdir(path) else os.remove)(path)
    return None


def record(build, record_dir):
    """Runs test/Integration under lit in recording mode."""
    lit = os.path.join(os.environ.get("LLVM_DIR", "/usr/lib/llvm-22"), "bin",
                       "lit")
    subprocess.run([lit, "-q", "--param", "loom-record-cases=" + record_dir,
                    os.path.join(build, "test", "Integration")],
                   check=False)
    return recorded(record_dir)


def label(source):
    """A case's name from its source path: Family/file.mlir, or the
    generating test's name for sources that lit wrote (Raising)."""
    parts = os.path.abspath(source).split(os.sep)
    if "Output" in parts:  # build/test/Integration/Family/Output/x.test.tmp/f
        i = parts.index("Output")
        return "/".join([parts[i - 1], parts[i + 1].replace(".tmp", ""),
                         parts[-1]])
    if "Integration" not in parts:
        return parts[-1]
    i = parts.index("Integration")
    return "/".join(parts[i + 1:])


def materialise(case, manifest, target):
    """Writes the case's inputs as target/input<i>.npy in the model's input
    order; returns their file names, or None with a reason."""
    specs = manifest["inputs"]
    given = case["inputs"]
    if len(given) > len(specs):
        return None, "more --input files than inputs"
    arrays = [np.load(os.path.join(case["dir"], f)) for f in given]
    rest = specs[len(given):]
    if rest:
        if case["random_seed"] is None:
            return None, "inputs without --input or --random-seed"
        import loom
        generator = loom.RandomInputs(int(case["random_seed"]))
        for spec in rest:
            if not spec["dtype"].startswith("float"):
                return None, "random %s input" % spec["dtype"]
            arrays.append(generator.generate(spec["dtype"], spec["shape"]))
    names = []
    for i, (array, spec) in enumerate(zip(arrays, specs)):
        if (array.dtype.name != spec["dtype"] or
                list(array.shape) != spec["shape"]):
            return None, "input %d is %s %s, the model takes %s %s" % (
                i, array.shape, array.dtype, spec["shape"], spec["dtype"])
        names.append("input%d.npy" % i)
        np.save(os.path.join(target, names[-1]), array)
    return names, None


def verify(build, case, source, target, inputs):
    """loom-run --reference on the materialised inputs must give the
    recorded outputs exactly."""
    command = [os.path.join(build, "bin", "loom-run"), source, "--reference",
               "--output-dir", os.path.join(target, "check")]
    if case["entry"]:
        command.append("--entry=" + case["entry"])
    for name in inputs:
        command += ["--input", os.path.join(target, name)]
    result = subprocess.run(command, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    check = os.path.join(target, "check")
    try:
        if result.returncode != case["status"]:
            return "loom-run exited %d, recorded %d: %s" % (
                result.returncode, case["status"], result.stderr.strip())
        for ref in case["reference_outputs"]:
            want = np.load(os.path.join(target, ref))
            got = np.load(os.path.join(check, ref[len("reference-"):]))
            if not np.array_equal(want, got, equal_nan=True):
                return "%s differs from the recording" % ref
        return None
    finally:
        shutil.rmtree(check, ignore_errors=True)


def recorded(record_dir):
    """The cases loom_run_both.py --record-cases wrote into `record_dir`."""
    cases = []
    for name in sorted(os.listdir(record_dir)):
        with open(os.path.join(record_dir, name, "case.json")) as f:
            case = json.load(f)
        case["dir"] = os.path.join(record_dir, name)
        cases.append(case)
    return cases


def collect_cases(args, bundle):
    record_dir = args.record_dir or tempfile.mkdtemp(prefix="loom-record-")
    try:
        if args.record_dir:
            cases = recorded(record_dir)
        else:
            cases = record(args.build, record_dir)
        compiled = {}  # (source, entry) -> (directory, error)
        index = []
        for n, case in enumerate(cases):
            key = (case["source"], case["entry"])
            name = label(case["source"]) + (
                ("@" + case["entry"]) if case["entry"] else "")
            entry = {"name": name, "rtol": case["rtol"],
                     "atol": case["atol"], "status": case["status"],
                     "expect_runtime_error": case.get("runtime_error", False)}
            if case["status"] != 0 and not entry["expect_runtime_error"]:
                # A negative test of loom-run itself (a --compare that must
                # fail, a wrong option): nothing to run on the GPU.
                continue
            if key not in compiled:
                model_dir = os.path.join(bundle, "cases",
                                         "m%03d" % len(compiled))
                os.makedirs(model_dir)
                shutil.copyfile(case["source"],
                                os.path.join(model_dir, "source.mlir"))
                error = loomc(args, args.build, case["source"],
                              os.path.join(model_dir, "model"), case["entry"])
                compiled[key] = (model_dir, error)
            model_dir, error = compiled[key]
            entry["model"] = os.path.relpath(os.path.join(model_dir, "model"),
                                             bundle)
            if error:
                entry["compile_error"] = error
                index.append(entry)
                print("compile error: %s: %s" % (name, error.splitlines()[0]))
                continue
            target = os.path.join(model_dir, "c%03d" % n)
            os.makedirs(target)
            with open(os.path.join(model_dir, "model",
                                   "manifest.json")) as f:
                manifest = json.load(f)
            inputs, problem = materialise(case, manifest, target)
            if problem:
                entry["collect_error"] = problem
                index.append(entry)
                print("not collected: %s: %s" % (name, problem))
                continue
            for ref in case["reference_outputs"]:
                shutil.copyfile(os.path.join(case["dir"], ref),
                                os.path.join(target, ref))
            if args.verify:
                problem = verify(args.build, case,
                                 os.path.join(model_dir, "source.mlir"),
                                 target, inputs)
                if problem:
                    entry["collect_error"] = "verification: " + problem
                    index.append(entry)
                    print("not verified: %s: %s" % (name, problem))
                    continue
            entry["inputs"] = [os.path.relpath(os.path.join(target, i), bundle)
                               for i in inputs]
            entry["references"] = [
                os.path.relpath(os.path.join(target, r), bundle)
                for r in case["reference_outputs"]]
            index.append(entry)
        return index
    finally:
        if not args.record_dir:
            shutil.rmtree(record_dir, ignore_errors=True)


def collect_models(args, bundle):
    index = []
    for name in MODELS:
        onnx = os.path.join(args.models, name + ".onnx")
        target = os.path.join(bundle, "models", name)
        os.makedirs(target)
        entry = {"name": name, "model": os.path.relpath(
            os.path.join(target, "model"), bundle)}
        error = loomc(args, args.build, onnx, os.path.join(target, "model"))
        if error:
            entry["compile_error"] = error
            print("compile error: %s: %s" % (name, error.splitlines()[0]))
        for suffix in ("input", "output"):
            shutil.copyfile(os.path.join(args.models,
                                         "%s_%s.npy" % (name, suffix)),
                            os.path.join(target, suffix + ".npy"))
        if args.onnx:
            shutil.copyfile(onnx, os.path.join(target, name + ".onnx"))
        entry["inputs"] = [os.path.relpath(os.path.join(target, "input.npy"),
                                           bundle)]
        entry["references"] = [os.path.relpath(
            os.path.join(target, "output.npy"), bundle)]
        # The HF exports' saved outputs come from PyTorch: the CPU target
        # matches them within 1e-4 (test/Models); so must the GPU. Half
        # storage (--dtype): within 2e-2 of the output's largest magnitude.
        entry["rtol"], entry["atol"] = 1e-4, 1e-4
        if args.dtype != "f32":
            scale = float(np.abs(np.load(os.path.join(
                args.models, name + "_output.npy"))).max())
            entry["rtol"], entry["atol"] = 0.0, 2e-2 * scale
            entry["magnitude_bound"] = True
        index.append(entry)
    return index


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--gpu-arch", default="sm_90")
    parser.add_argument("--mcpu", default="x86-64-v2")
    parser.add_argument("--models", default=os.path.join(
        os.path.dirname(ROOT), "shared", "models"))
    parser.add_argument("--no-verify", dest="verify", action="store_false")
    parser.add_argument("--onnx", action="store_true",
                        help="copy the ONNX files too (for bench/gpu)")
    parser.add_argument("--skip-cases", action="store_true",
                        help="only the shared models")
    parser.add_argument("--skip-models", action="store_true",
                        help="only the cases")
    parser.add_argument("--record-dir",
                        help="take the cases recorded in this directory "
                        "instead of running lit")
    parser.add_argument("--dtype", default="f32", choices=("f32", "f16",
                                                           "bf16"),
                        help="loomc --dtype for the models (with "
                        "--skip-cases)")
    parser.add_argument("--cuda-graph", action="store_true",
                        help="compile with loomc --cuda-graph")
    args = parser.parse_args()
    args.build = os.path.abspath(args.build)
    sys.path.insert(0, os.path.join(ROOT, "python"))
    os.environ.setdefault("LOOM_RUNTIME_LIBRARY", os.path.join(
        args.build, "lib", "libLoomRuntimeCore.so"))

    bundle = os.path.abspath(args.out)
    shutil.rmtree(bundle, ignore_errors=True)
    os.makedirs(bundle)
    index = {"gpu_arch": args.gpu_arch, "mcpu": args.mcpu,
             "cases": [] if args.skip_cases else collect_cases(args, bundle),
             "models": [] if args.skip_models else collect_models(args,
                                                                 bundle)}
    # The MLIR-free runtime library and runner (run_on_device.sh).
    for sub, name in (("lib", "libLoomRuntimeCore.so"),
                      ("bin", "loom-run-model")):
        os.makedirs(os.path.join(bundle, sub), exist_ok=True)
        shutil.copy2(os.path.join(args.build, sub, name),
                     os.path.join(bundle, sub, name))
    with open(os.path.join(bundle, "bundle.json"), "w") as f:
        json.dump(index, f, indent=1)
    runnable = [c for c in index["cases"] if "inputs" in c]
    print("bundle %s: %d cases (%d runnable), %d models" % (
        bundle, len(index["cases"]), len(runnable), len(index["models"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
