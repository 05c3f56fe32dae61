"""Runs loom-run on an .mlir file twice: on loom-cpu-pipeline's fast path (the
default: CPU kernels, fusion) and with --reference (the reference lowering
through loops), the oracle the fast path is tested against.

test/Integration/lit.local.cfg substitutes `loom-run` by this script, so every
execution test checks both paths against its NumPy/onnxruntime reference
(each run's own --compare flags) and the two paths against each other: every
output of the fast run must match the reference run's within the test's
--rtol/--atol (defaults 1e-5/1e-6, loom-run's own). The fast run writes the
requested --output-dir (later RUN lines read it); the reference run writes a
sibling directory.

Exit status: the two runs' common status. When one path fails and the other
does not, the script aborts (SIGABRT), which `not` does not accept either: a
test that expects a failure still fails when only one path fails.

With `--gpu-emulation LOOM_OPT` first, a third run checks loom-gpu-pipeline:
`loom-opt --loom-emulate-gpu-kernels` runs the GPU pipeline's kernel stage and
turns its kernels into host loops (there is no GPU here; this checks the
tiling into blocks and threads, warp reductions, bound checks, one-thread
kernels and host reads, not the NVVM code), loom-run runs the result, and
its exit status and outputs must equal the reference path's within the
test's tolerances, or rtol 1e-5 / atol 1e-6 where the test asks for less
(the GPU's warp reductions reassociate sums).

With `--record-cases DIR` first (lit --param loom-record-cases=DIR), the
script only runs the reference path and records the case for another
machine (test/gpu/collect.py): DIR/<n>/case.json (the source, entry,
inputs, random seed, tolerances, exit status), the --input files and the
reference path's outputs. Its output is the reference run's (the test's
own checks of loom-run's output still apply).

Usage: loom_run_both.py [--gpu-emulation LOOM_OPT] [--record-cases DIR]
                        LOOM_RUN_BINARY ARGS...
"""

import json
import shutil

import os
import subprocess
import sys
import tempfile

import numpy as np


def option_value(args, name, default=None):
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg[len(name) + 1:]
    return default


def with_output_dir(args, directory):
    """`args` with --output-dir replaced by (or extended with) `directory`."""
    result, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == "--output-dir":
            skip = True
            continue
        if arg.startswith("--output-dir="):
            continue
        result.append(arg)
    return result + ["--output-dir", directory]


def compare(label, got_dir, want_dir, rtol, atol):
    """Compares every .npy of `want_dir` with `got_dir`'s; returns the largest
    absolute error, or None after reporting a mismatch."""
    names = sorted(n for n in os.listdir(want_dir) if n.endswith(".npy"))
    worst = 0.0
    for name in names:
        want = np.load(os.path.join(want_dir, name))
        got = np.load(os.path.join(got_dir, name))
        if got.shape != want.shape or got.dtype != want.dtype:
            sys.stderr.write("loom_run_both: %s: %s %s %s vs reference "
                             "%s %s\n" % (name, label, got.shape, got.dtype,
                                          want.shape, want.dtype))
            return None
        diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
        if diff.size and not np.isnan(diff).all():
            worst = max(worst, float(np.nanmax(diff)))
        if not np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
            sys.stderr.write(
                "loom_run_both: %s: %s differs from the reference "
                "path (max abs err %.3e, rtol %g, atol %g)\n"
                % (name, label, np.nanmax(diff), rtol, atol))
            return None
    return worst, len(names)


# The GPU's reductions reassociate sums (warp shuffles), so its results can
# only match within rounding: tests that ask for less (the CPU kernels that
# keep the reference lowering's bits, tolerance 0) are held to this.
GPU_RTOL_FLOOR = 1e-5
GPU_ATOL_FLOOR = 1e-6


def with_option(args, name, value):
    """`args` with option `name` replaced by (or extended with) `value`."""
    result, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == name:
            skip = True
            continue
        if arg.startswith(name + "="):
            continue
        result.append(arg)
    return result + [name, value]


def run_gpu_emulation(loom_opt, binary, args, scratch, rtol, atol):
    """Runs the test's loom-run command on the GPU kernel stage emulated on
    the host (its --compare flags at `rtol`/`atol`); returns (exit status,
    output directory)."""
    source = [a for a in args if not a.startswith("-")][0]
    emulated = os.path.join(scratch, "gpu-emulated.mlir")
    subprocess.check_call([loom_opt, source, "--loom-emulate-gpu-kernels",
                           "-o", emulated])
    out_dir = os.path.join(scratch, "gpu")
    emulated_args = [emulated if a == source else a for a in args]
    emulated_args = with_option(emulated_args, "--rtol", repr(rtol))
    emulated_args = with_option(emulated_args, "--atol", repr(atol))
    status = subprocess.call(
        [binary] + with_output_dir(emulated_args, out_dir) + ["--reference"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return status, out_dir


def option_values(args, name):
    """Every value of a repeated option `name`, in order."""
    values = []
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            values.append(args[i + 1])
        elif arg.startswith(name + "="):
            values.append(arg[len(name) + 1:])
    return values


def record_case(record_dir, binary, args):
    """Runs the reference path alone and records the case under a new
    numbered directory of `record_dir`; returns the run's exit status."""
    os.makedirs(record_dir, exist_ok=True)
    for n in range(100000):
        case_dir = os.path.join(record_dir, "%05d" % n)
        try:
            os.mkdir(case_dir)
            break
        except FileExistsError:
            continue
    requested = option_value(args, "--output-dir")
    out_dir = requested or os.path.join(case_dir, "reference")
    run = subprocess.run([binary] + with_output_dir(args, out_dir) +
                         ["--reference"], stderr=subprocess.PIPE, text=True)
    sys.stderr.write(run.stderr)
    status = run.returncode
    inputs = []
    for i, path in enumerate(option_values(args, "--input")):
        copy = os.path.join(case_dir, "input%d.npy" % i)
        shutil.copyfile(path, copy)
        inputs.append(os.path.basename(copy))
    outputs = []
    if status == 0 and os.path.isdir(out_dir):
        for name in sorted(n for n in os.listdir(out_dir)
                           if n.endswith(".npy")):
            copy = os.path.join(case_dir, "reference-" + name)
            shutil.copyfile(os.path.join(out_dir, name), copy)
            outputs.append(os.path.basename(copy))
    source = [a for a in args if not a.startswith("-")][0]
    case = {"source": os.path.abspath(source),
            "entry": option_value(args, "--entry"),
            "inputs": inputs, "reference_outputs": outputs,
            "random_seed": option_value(args, "--random-seed"),
            "rtol": float(option_value(args, "--rtol", "1e-5")),
            "atol": float(option_value(args, "--atol", "1e-6")),
            "status": status,
            # The model's own run-time error (loom-run's "error: runtime
            # error: ..."), as opposed to a failed --compare.
            "runtime_error": "runtime error" in run.stderr}
    with open(os.path.join(case_dir, "case.json"), "w") as f:
        json.dump(case, f, indent=1)
    return status


def main():
    loom_opt = record_dir = None
    if sys.argv[1] == "--gpu-emulation":
        loom_opt = sys.argv[2]
        del sys.argv[1:3]
    if sys.argv[1] == "--record-cases":
        record_dir = sys.argv[2]
        del sys.argv[1:3]
    binary, args = sys.argv[1], sys.argv[2:]
    positional = [a for a in args if not a.startswith("-")]
    # Compiled model directories have one lowering (chosen by loomc): once.
    if not positional or os.path.isdir(positional[0]) or "--reference" in args:
        return subprocess.call([binary] + args)
    if record_dir:
        return record_case(record_dir, binary, args)

    rtol = float(option_value(args, "--rtol", "1e-5"))
    atol = float(option_value(args, "--atol", "1e-6"))
    requested = option_value(args, "--output-dir")
    with tempfile.TemporaryDirectory() as scratch:
        fast_dir = requested or os.path.join(scratch, "fast")
        reference_dir = (requested.rstrip("/") + ".reference" if requested
                         else os.path.join(scratch, "reference"))
        reference = subprocess.call(
            [binary] + with_output_dir(args, reference_dir) + ["--reference"],
            stdout=subprocess.DEVNULL)
        fast = subprocess.call([binary] + with_output_dir(args, fast_dir))
        if (fast == 0) != (reference == 0):
            sys.stderr.write(
                "loom_run_both: the fast path exited %d but the reference "
                "path %d\n" % (fast, reference))
            sys.stderr.flush()
            os.abort()
        gpu_rtol = max(rtol, GPU_RTOL_FLOOR)
        gpu_atol = max(atol, GPU_ATOL_FLOOR)
        if loom_opt:
            gpu, gpu_dir = run_gpu_emulation(loom_opt, binary, args, scratch,
                                             gpu_rtol, gpu_atol)
            if gpu != reference:
                sys.stderr.write(
                    "loom_run_both: the GPU kernel stage (emulated on the "
                    "host) exited %d but the reference path %d\n"
                    % (gpu, reference))
                sys.stderr.flush()
                os.abort()
        if fast != 0:
            return fast
        checked = compare("fast path", fast_dir, reference_dir, rtol, atol)
        if checked is None:
            return 1
        worst, count = checked
        print("fast vs reference path: %d outputs match, max abs err %.2e "
              "(rtol %g, atol %g)" % (count, worst, rtol, atol))
        if loom_opt:
            checked = compare("GPU kernel stage (emulated)", gpu_dir,
                              reference_dir, gpu_rtol, gpu_atol)
            if checked is None:
                return 1
            print("GPU kernel stage (emulated on the host) vs reference "
                  "path: %d outputs match, max abs err %.2e (rtol %g, atol %g)"
                  % (checked[1], checked[0], gpu_rtol, gpu_atol))
    return 0


if __name__ == "__main__":
    sys.exit(main())
