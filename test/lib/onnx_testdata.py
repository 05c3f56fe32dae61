"""ONNX backend test data for Loom: .pb -> .npy conversion and a coverage driver.

  python -m onnx_testdata prepare TEST OUTDIR
      TEST is a backend test directory (model.onnx + test_data_set_0/) or a
      `light/light_*.onnx` model. Writes OUTDIR/input_<i>.npy and
      OUTDIR/ref_<i>.npy (light models: the ONNX runner's dummy input
      arange(n)/n and the stored reference output).

  python -m onnx_testdata coverage DATA_DIR --bin BUILD/bin [--out docs/onnx-coverage.md]
      Imports every test with loom-import-onnx, runs it with loom-run and
      compares every output (rtol 1e-3, atol 1e-5); prints and writes a table
      of passed / wrong result / unsupported op / failed.

  python -m onnx_testdata coverage DATA_DIR --bin BUILD/bin --check docs/onnx-coverage.md
      The same run, then exits 1 when any test's status differs from the
      committed table (a regression, or an improvement the table does not show).
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

RTOL = 1e-3
ATOL = 1e-5


def _read_pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def model_path(test):
    return test if test.endswith(".onnx") else os.path.join(test, "model.onnx")


def prepare(test, outdir):
    """Writes input_<i>.npy / ref_<i>.npy; returns (inputs, refs) paths."""
    os.makedirs(outdir, exist_ok=True)
    ins, refs = [], []
    if test.endswith(".onnx"):
        m = onnx.load(test, load_external_data=False)
        inits = {i.name for i in m.graph.initializer}
        arrays = []
        for x in m.graph.input:
            if x.name in inits:
                continue
            shape = tuple(d.dim_value if d.HasField("dim_value") else 1
                          for d in x.type.tensor_type.shape.dim)
            n = int(np.prod(shape))
            arrays.append((np.arange(n).reshape(shape) / n).astype(np.float32))
        outs = [_read_pb(os.path.splitext(test)[0] + "_output_0.pb")]
    else:
        ds = os.path.join(test, "test_data_set_0")
        arrays = [_read_pb(p) for p in sorted(glob.glob(os.path.join(ds, "input_*.pb")),
                                              key=lambda p: int(re.findall(r"\d+", os.path.basename(p))[0]))]
        outs = [_read_pb(p) for p in sorted(glob.glob(os.path.join(ds, "output_*.pb")),
                                            key=lambda p: int(re.findall(r"\d+", os.path.basename(p))[0]))]
    for i, a in enumerate(arrays):
        p = os.path.join(outdir, "input_%d.npy" % i)
        np.save(p, a)
        ins.append(p)
    for i, a in enumerate(outs):
        p = os.path.join(outdir, "ref_%d.npy" % i)
        np.save(p, a)
        refs.append(p)
    return ins, refs


def run_one(test, bindir, workdir, timeout=900):
    """Returns (status, detail) with status in passed / wrong result /
    unsupported op / failed."""
    try:
        ins, refs = prepare(test, workdir)
    except Exception as e:  # unreadable test data
        return "failed", "cannot read test data: %s" % str(e).splitlines()[0][:120]
    mlir = os.path.join(workdir, "model.mlir")
    try:
        p = subprocess.run([os.path.join(bindir, "loom-import-onnx"), model_path(test),
                            "-o", mlir], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "failed", "import timed out"
    if p.returncode != 0:
        msg = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "crash"
        msg = msg.split(": ", 2)[-1] if msg.startswith("error:") else msg
        if p.returncode < 0:
            return "failed", "importer crashed (signal %d)" % -p.returncode
        m = re.search(r"unsupported op '([^']+)'", msg)
        if m:
            return "unsupported op", m.group(1)
        if "unsupported element type" in msg or "string tensors" in msg:
            try:
                ops = sorted({n.op_type for n in onnx.load(model_path(test)).graph.node})
            except Exception:
                ops = []
            return "unsupported op", "%s (string tensors)" % ",".join(ops)
        return "failed", "import: " + msg[:160]
    cmd = [os.path.join(bindir, "loom-run"), mlir]
    for i in ins:
        cmd += ["--input", i]
    for r in refs:
        cmd += ["--compare", r]
    cmd += ["--rtol", str(RTOL), "--atol", str(ATOL)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "failed", "loom-run timed out"
    out = p.stdout + p.stderr
    errs = re.findall(r"max_abs_err/max_abs_ref=(\S+)", out)
    if p.returncode == 0:
        return "passed", "max_abs_err/max_abs_ref=" + (max(errs, key=float) if errs else "-")
    if "FAIL" in out and p.returncode == 1 and "result" in out:
        line = [l for l in out.splitlines() if "FAIL" in l][0]
        return "wrong result", line[:200]
    msg = out.strip().splitlines()[-1] if out.strip() else "crash"
    if p.returncode < 0:
        msg = "loom-run crashed (signal %d)" % -p.returncode
    return "failed", "run: " + msg[:160]


def statuses(table_text):
    """{test: status} from the rows of a coverage table."""
    rows = {}
    for line in table_text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and "/" in cells[0] and cells[1] in (
                "passed", "wrong result", "unsupported op", "failed"):
            rows[cells[0]] = cells[1]
    return rows


def coverage(datadir, bindir, out, check=None):
    # Run private copies of the tools so that a rebuild during the (long) run
    # cannot swap binaries under it.
    import shutil
    private = tempfile.mkdtemp(prefix="loom-coverage-bin-")
    for tool in ("loom-import-onnx", "loom-run"):
        shutil.copy2(os.path.join(bindir, tool), private)
    bindir = private
    tests = sorted(glob.glob(os.path.join(datadir, "*", "*", "model.onnx")))
    tests = [os.path.dirname(t) for t in tests]
    tests += sorted(glob.glob(os.path.join(datadir, "light", "*.onnx")))
    rows = []
    start = time.time()
    for t in tests:
        with tempfile.TemporaryDirectory() as d:
            try:
                status, detail = run_one(t, bindir, d)
            except OSError as e:
                status, detail = "failed", "driver: %s" % e
        name = os.path.relpath(t, datadir)
        rows.append((name, status, detail))
        print("%-70s %-14s %s" % (name, status, detail), flush=True)
    counts = {}
    for _, s, _ in rows:
        counts[s] = counts.get(s, 0) + 1
    total = len(rows)
    passed = counts.get("passed", 0)
    unsupported = {}
    for _, s, d in rows:
        if s == "unsupported op":
            unsupported[d] = unsupported.get(d, 0) + 1
    lines = [
        "# ONNX backend test coverage",
        "",
        "Generated by `python test/lib/onnx_testdata.py coverage ../shared/onnx_test_data "
        "--bin build/bin --out docs/onnx-coverage.md` (import with `loom-import-onnx`, "
        "run with `loom-run` through `loom-cpu-pipeline`, every output compared with "
        "rtol=%g, atol=%g; light models run on the ONNX runner's dummy input "
        "arange(n)/n)." % (RTOL, ATOL),
        "",
        "**Pass rate: %d / %d (%.1f%%)** in %.0f s." % (passed, total, 100.0 * passed / max(total, 1),
                                                      time.time() - start),
        "",
        "| status | count |",
        "| --- | --- |",
    ]
    for s in ("passed", "wrong result", "unsupported op", "failed"):
        lines.append("| %s | %d |" % (s, counts.get(s, 0)))
    failed = [name for name, s, d in rows if s == "failed"]
    if failed and all("cannot make shapes static" in d or "symbolic dimension" in d
                      for name, s, d in rows if s == "failed"):
        lines += ["", "All `failed` rows are deliberate static-shape rejections (a shape "
                  "computed from a graph input's values, or a symbolic input dimension): "
                  "Loom compiles statically shaped graphs only."]
    if unsupported:
        lines += ["", "Unsupported ops (tests): " +
                  ", ".join("%s (%d)" % kv for kv in sorted(unsupported.items(),
                                                            key=lambda kv: -kv[1])), ""]
    lines += ["", "| test | status | detail |", "| --- | --- | --- |"]
    for name, s, d in rows:
        lines.append("| %s | %s | %s |" % (name, s, d.replace("|", "\\|")))
    text = "\n".join(lines) + "\n"
    if out:
        with open(out, "w") as f:
            f.write(text)
    print("pass rate: %d / %d" % (passed, total))
    if check:
        with open(check) as f:
            want = statuses(f.read())
        got = statuses(text)
        if not want:
            print("%s holds no coverage rows" % check)
            return 1
        diffs = ["%s: %s in %s, %s now" % (t, want.get(t, "absent"), check,
                                         got.get(t, "absent"))
                 for t in sorted(set(want) | set(got)) if want.get(t) != got.get(t)]
        for d in diffs:
            print("status changed: " + d)
        if diffs:
            print("coverage differs from %s (regenerate it with --out if this is an "
                  "improvement)" % check)
            return 1
        print("coverage matches %s" % check)
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("test")
    p.add_argument("outdir")
    c = sub.add_parser("coverage")
    c.add_argument("datadir")
    c.add_argument("--bin", required=True)
    c.add_argument("--out")
    c.add_argument("--check", help="a committed coverage table to compare with")
    a = ap.parse_args()
    if a.cmd == "prepare":
        prepare(a.test, a.outdir)
    else:
        sys.exit(coverage(a.datadir, a.bin, a.out, a.check))


if __name__ == "__main__":
    main()
