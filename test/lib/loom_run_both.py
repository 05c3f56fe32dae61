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

Usage: loom_run_both.py LOOM_RUN_BINARY ARGS...
"""

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


def main():
    binary, args = sys.argv[1], sys.argv[2:]
    positional = [a for a in args if not a.startswith("-")]
    # Compiled model directories have one lowering (chosen by loomc): once.
    if not positional or os.path.isdir(positional[0]) or "--reference" in args:
        return subprocess.call([binary] + args)

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
        if fast != 0:
            return fast
        names = sorted(n for n in os.listdir(reference_dir) if n.endswith(".npy"))
        worst = 0.0
        for name in names:
            want = np.load(os.path.join(reference_dir, name))
            got = np.load(os.path.join(fast_dir, name))
            if got.shape != want.shape or got.dtype != want.dtype:
                sys.stderr.write("loom_run_both: %s: fast %s %s vs reference "
                                 "%s %s\n" % (name, got.shape, got.dtype,
                                              want.shape, want.dtype))
                return 1
            diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
            if diff.size and not np.isnan(diff).all():
                worst = max(worst, float(np.nanmax(diff)))
            if not np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
                sys.stderr.write(
                    "loom_run_both: %s: fast path differs from the reference "
                    "path (max abs err %.3e, rtol %g, atol %g)\n"
                    % (name, np.nanmax(diff), rtol, atol))
                return 1
        print("fast vs reference path: %d outputs match, max abs err %.2e "
              "(rtol %g, atol %g)" % (len(names), worst, rtol, atol))
    return 0


if __name__ == "__main__":
    sys.exit(main())
