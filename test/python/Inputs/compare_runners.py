"""Runs two model-directory runners with the same arguments, case by case,
and checks that they behave the same: exit status, stdout, stderr and the
.npy files they write (names and contents).

Usage: compare_runners.py A B WORK CASE...
  A, B: command lines (split like a shell would); CASE: the arguments, split
  like a shell would, in which {out} becomes a directory of the runner's own.
Prints `same (exit N): CASE` per case, or what differs; exits 1 if any
case differs.
"""
import os
import shlex
import shutil
import subprocess
import sys

import numpy as np


def run(command, case, out):
    if os.path.exists(out):
        shutil.rmtree(out)
    args = shlex.split(command) + [a.replace("{out}", out)
                                   for a in shlex.split(case)]
    done = subprocess.run(args, capture_output=True, text=True)
    files = {}
    if os.path.isdir(out):
        for name in sorted(os.listdir(out)):
            files[name] = np.load(os.path.join(out, name))
    # Paths of the runners' own output directories differ by design.
    text = lambda s: s.replace(out, "{out}")
    return done.returncode, text(done.stdout), text(done.stderr), files


def main(a, b, work, cases):
    differ = False
    for case in cases:
        ra = run(a, case, os.path.join(work, "a"))
        rb = run(b, case, os.path.join(work, "b"))
        problems = []
        for what, va, vb in zip(("exit status", "stdout", "stderr"), ra, rb):
            if va != vb:
                problems.append("%s:\n  A: %r\n  B: %r" % (what, va, vb))
        if list(ra[3]) != list(rb[3]) or not all(
                np.array_equal(ra[3][n], rb[3][n]) and
                ra[3][n].dtype == rb[3][n].dtype for n in ra[3]):
            problems.append("output files: %s vs %s" % (list(ra[3]),
                                                        list(rb[3])))
        if problems:
            differ = True
            print("DIFFERENT: %s\n%s" % (case, "\n".join(problems)))
        else:
            print("same (exit %d): %s" % (ra[0], case))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))
