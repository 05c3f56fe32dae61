#!/usr/bin/env python3
"""Loom's CPU benchmark against onnxruntime: compile here, run here or elsewhere.

    # 1. compile (needs loomc): generated models + the shared tiny models
    python3 bench/cpu/run.py compile [--suite tiny,ops,realistic] [--only NAMES]
        [--size full|smoke] [--mcpu CPU] [--loomc PATH] [--loomc-arg ARG ...]
        [--models-dir DIR] [--out DIR] [--bundle DIR]

    # 2. run (needs only python3, numpy, onnx, onnxruntime)
    python3 bench/cpu/run.py run [--compiled DIR] [--threads 1,all] [--reps R]
        [--warmup W] [--max-seconds S] [--label NAME] [--results-dir DIR]
        [--check-tolerance X] [--only NAMES]

    # both, on this machine
    python3 bench/cpu/run.py all [options of both]

compile: make_models.py writes the generated models into --models-dir (default
bench/models/<size>), loomc compiles each of them and each shared tiny model
(../shared/models) into --out (default bench/models/compiled-<size>), and
OUT/plan.json records what was compiled (loomc's flags and status, the raised
ops found in model.mlir, the library size, the graph fingerprints). A model
loomc fails on is recorded with its error and skipped by the run step.
--bundle DIR also writes a self-contained copy for another machine: plan.json,
each model's manifest.json and library (not the multi-hundred-MB model.mlir), and
the shared tiny models with their inputs. Generated ONNX files are not copied:
the run step regenerates them with make_models.py and checks their fingerprints.
See bench/README.md for why the realistic suite is not bundled.

run: for each compiled model and each thread count, one loom-bench process
(a fresh process per thread count, because a compiled model reads
LOOM_NUM_THREADS at its first call) with --compare-onnxruntime on the same ONNX
graph; writes bench/results/cpu-<label>-<date>.json and prints a table.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import make_models  # noqa: E402  (next to this file)

FORMAT_VERSION = 1
SUITES = ("tiny", "ops", "realistic")
# The shared test models (../shared/models/README.md) with their shipped inputs.
TINY = {
    "tiny_llama": ("tiny_llama.onnx", ["tiny_llama_input.npy"]),
    "tiny_vit": ("tiny_vit.onnx", ["tiny_vit_input.npy"]),
    "tiny_mixtral": ("tiny_mixtral.onnx", ["tiny_mixtral_input.npy"]),
    "tiny_moe_block": ("tiny_moe_block.onnx", ["tiny_moe_block_input.npy"]),
}
# loom ops counted in model.mlir, to show in the results what was raised.
RAISED_OPS = ("loom.attention", "loom.moe.ffn", "loom.qmatmul", "loom.rms_norm",
              "loom.rope")


def log(msg):
    print(msg, flush=True)


def die(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(1)


def usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def default_label():
    """The CPU and core count, e.g. intel-xeon-16c or amd-epyc-2c: the
    machines here are all called 'vm', so the hostname says nothing."""
    words = cpu_model().lower().replace("(r)", "").replace("(tm)", "")
    words = [w for w in "".join(c if c.isalnum() else " " for c in words).split()
             if w not in ("processor", "cpu", "core")]
    return "-".join(words[:4] + [f"{usable_cores()}c"])


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def names_arg(text):
    return [n for n in text.split(",") if n] if text else None


# ===------------------------------------------------------------------------===#
# compile
# ===------------------------------------------------------------------------===#


def find_loomc(flag):
    if flag:
        return flag
    built = os.path.join(REPO, "build", "bin", "loomc")
    if os.access(built, os.X_OK):
        return built
    found = shutil.which("loomc")
    if not found:
        die("no loomc: build it (build/bin/loomc) or pass --loomc PATH")
    return found


def raised_ops(mlir_path):
    """Counts of RAISED_OPS in model.mlir, reading only up to the resource
    section (the weights, in hex, which can be most of a GB)."""
    counts = dict.fromkeys(RAISED_OPS, 0)
    masked = 0
    with open(mlir_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("{-#"):
                break
            for op in RAISED_OPS:
                if f"{op} " in line:
                    counts[op] += 1
                    # loom.attention with a mask operand: not classified causal.
                    if op == "loom.attention" and " mask(" in line:
                        masked += 1
    out = {k: v for k, v in counts.items() if v}
    if masked:
        out["loom.attention with a mask operand"] = masked
    return out


def compile_models(args):
    loomc = find_loomc(args.loomc)
    size = args.size
    models_dir = os.path.abspath(args.models_dir or
                                 os.path.join(REPO, "bench", "models", size))
    out = os.path.abspath(args.out or
                          os.path.join(REPO, "bench", "models", f"compiled-{size}"))
    suites = names_arg(args.suite) or list(SUITES)
    for s in suites:
        if s not in SUITES:
            die(f"unknown suite '{s}' (known: {', '.join(SUITES)})")
    only = names_arg(args.only)
    table = make_models.specs(size)
    known = list(TINY) + list(table)
    if only:
        for n in only:
            if n not in known:
                die(f"unknown model '{n}' (known: {', '.join(known)})")
    selected = lambda name, suite: name in only if only else suite in suites

    gen = [n for n, spec in table.items() if selected(n, spec[0])]
    index = make_models.generate(models_dir, size, gen, log=log) if gen else \
        {"models": {}}
    loomc_args = list(args.loomc_arg or [])
    if args.mcpu:
        loomc_args.append(f"--mcpu={args.mcpu}")

    entries = []
    for name, (onnx_file, inputs) in TINY.items():
        if not selected(name, "tiny"):
            continue
        path = os.path.join(args.shared, onnx_file)
        if not os.path.isfile(path):
            die(f"{path}: no such file (pass --shared DIR, the shared models)")
        entries.append({"name": name, "suite": "tiny",
                        "description": f"../shared/models/{onnx_file}",
                        "flops": None, "weight_bytes": None,
                        "onnx": {"path": path},
                        "inputs": [os.path.join(args.shared, i) for i in inputs]})
    for name in gen:
        m = index["models"][name]
        e = {"name": name, "suite": m["suite"], "description": m["description"],
             "flops": m["flops"], "weight_bytes": m["weight_bytes"],
             "onnx": {"generated": m["onnx"], "fingerprint": m["fingerprint"]},
             "inputs": []}
        if m.get("peer_onnx"):
            e["peer_onnx"] = {"generated": m["peer_onnx"],
                              "fingerprint": m["peer_fingerprint"]}
        if m.get("check_tolerance"):
            e["check_tolerance"] = m["check_tolerance"]
        entries.append(e)

    os.makedirs(os.path.join(out, "compiled"), exist_ok=True)
    for e in entries:
        src = e["onnx"]["path"] if "path" in e["onnx"] else \
            os.path.join(models_dir, e["onnx"]["generated"])
        dest = os.path.join(out, "compiled", e["name"])
        cmd = [loomc, src, "--target=cpu", "-o", dest] + loomc_args
        t0 = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, text=True)
        secs = time.monotonic() - t0
        e["dir"] = f"compiled/{e['name']}"
        if p.returncode != 0:
            err = (p.stderr.strip().splitlines() or ["(no message)"])[-1]
            e["compile"] = {"ok": False, "seconds": secs, "error": err}
            log(f"compile: {e['name']}: FAILED ({secs:.1f} s): {err}")
            continue
        with open(os.path.join(dest, "manifest.json"), encoding="utf-8") as f:
            manifest = json.load(f)
        lib = os.path.join(dest, manifest["files"]["library"])
        e["compile"] = {"ok": True, "seconds": secs,
                        "library_bytes": os.path.getsize(lib),
                        "raised": raised_ops(os.path.join(dest,
                                                          manifest["files"]["mlir"]))}
        raised = ", ".join(f"{k} x{v}" for k, v in e["compile"]["raised"].items())
        log(f"compile: {e['name']}: {secs:.1f} s, "
            f"{e['compile']['library_bytes'] / 2**20:.1f} MiB"
            f"{'; ' + raised if raised else ''}")

    plan = {"generator": "bench/cpu/run.py", "format_version": FORMAT_VERSION,
            "size": size, "date": datetime.date.today().isoformat(),
            "compiled_on": {"hostname": socket.gethostname(), "cpu_model": cpu_model()},
            "loomc": loomc, "loomc_args": loomc_args, "models_dir": models_dir,
            "models": entries}
    write_json(os.path.join(out, "plan.json"), plan)
    log(f"compile: plan -> {os.path.join(out, 'plan.json')}")
    if args.bundle:
        make_bundle(plan, out, os.path.abspath(args.bundle), args.bundle_max_mib)
    return out


def make_bundle(plan, out, bundle, max_mib):
    """A copy of the compile output that runs on a machine without loomc or
    the shared models: libraries and manifests only, tiny ONNX files included.

    The device machine takes at most 64 MiB per call, so the models are split
    into parts of at most max_mib each (in plan order): BUNDLE itself when
    they fit in one, else BUNDLE/part-1, BUNDLE/part-2, ..., each a bundle
    with its own plan.json, run one per call."""
    if os.path.exists(bundle):
        if not (os.path.isfile(os.path.join(bundle, "plan.json")) or
                os.path.isfile(os.path.join(bundle, "part-1", "plan.json"))):
            die(f"{bundle} exists and is not a bundle (no plan.json); not replacing it")
        shutil.rmtree(bundle)

    # (entry, files to copy as (source, path in the bundle), bytes)
    items, skipped = [], []
    for e in plan["models"]:
        if not e.get("compile", {}).get("ok"):
            continue
        src = os.path.join(out, e["dir"])
        with open(os.path.join(src, "manifest.json"), encoding="utf-8") as f:
            lib = json.load(f)["files"]["library"]
        if e["suite"] == "realistic":
            # Hundreds of MB of embedded weights: see bench/README.md.
            size = os.path.getsize(os.path.join(src, lib))
            skipped.append(f"{e['name']} ({size / 2**20:.0f} MiB)")
            continue
        e = json.loads(json.dumps(e))
        files = [(os.path.join(src, f), f"{e['dir']}/{f}")
                 for f in ("manifest.json", lib)]
        if "path" in e["onnx"]:
            tiny = [e["onnx"]["path"]] + e["inputs"]
            files += [(f, "tiny/" + os.path.basename(f)) for f in tiny]
            e["onnx"] = {"path": "tiny/" + os.path.basename(tiny[0])}
            e["inputs"] = ["tiny/" + os.path.basename(f) for f in tiny[1:]]
        items.append((e, files, sum(os.path.getsize(f) for f, _ in files)))

    limit = max_mib << 20
    parts = [[]]
    for item in items:
        if parts[-1] and sum(i[2] for i in parts[-1]) + item[2] > limit:
            parts.append([])
        parts[-1].append(item)
    for k, part in enumerate(parts):
        dest = bundle if len(parts) == 1 else os.path.join(bundle, f"part-{k + 1}")
        os.makedirs(dest)
        for _, files, _ in part:
            for src, rel in files:
                os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
                shutil.copy2(src, os.path.join(dest, rel))
        sub = dict(plan, models=[e for e, _, _ in part], bundle=True,
                   models_dir=None)  # the run machine regenerates into DEST/models
        write_json(os.path.join(dest, "plan.json"), sub)
        total = sum(i[2] for i in part)
        log(f"bundle: {dest}: {total / 2**20:.1f} MiB: "
            f"{', '.join(e['name'] for e, _, _ in part)}")
        if total > limit:
            log(f"bundle: warning: {dest} is over {max_mib} MiB (one model)")
    if skipped:
        log(f"bundle: left out (realistic suite, run where compiled): "
            f"{', '.join(skipped)}")


# ===------------------------------------------------------------------------===#
# run
# ===------------------------------------------------------------------------===#


def resolve_generated(plan, plan_dir, models_dir_flag, names):
    """The directory holding the generated ONNX files the plan was compiled
    from, regenerating them (make_models.py, same size) where missing. Returns
    (dir, {name: problem}) for models whose graphs do not match the plan."""
    candidates = [models_dir_flag] if models_dir_flag else \
        [d for d in (plan.get("models_dir"), os.path.join(plan_dir, "models")) if d]
    models_dir = None
    for d in candidates:
        if os.path.isfile(os.path.join(d, "models.json")) or d == candidates[-1]:
            models_dir = d
            break
    problems = {}
    try:
        with open(os.path.join(models_dir, "models.json"), encoding="utf-8") as f:
            index = json.load(f)
        if index.get("size") != plan["size"] or \
                index.get("format_version") != make_models.FORMAT_VERSION:
            index = {"models": {}}
    except (OSError, ValueError):
        index = {"models": {}}
    missing = [n for n in names if n not in index["models"] or not all(
        os.path.isfile(os.path.join(models_dir, index["models"][n][k]))
        for k in ("onnx", "peer_onnx") if k in index["models"][n])]
    if missing:
        log(f"run: generating {', '.join(missing)} into {models_dir}")
        index = make_models.generate(models_dir, plan["size"], missing, log=log)
    for e in plan["models"]:
        if e["name"] not in names:
            continue
        m = index["models"][e["name"]]
        if m["fingerprint"] != e["onnx"]["fingerprint"] or (
                "peer_onnx" in e and
                m.get("peer_fingerprint") != e["peer_onnx"]["fingerprint"]):
            problems[e["name"]] = ("the regenerated graph differs from the compiled "
                                   "one (fingerprint mismatch: make_models.py or its "
                                   "numpy/onnx versions changed)")
    return models_dir, problems


def thread_counts(text):
    out = []
    for t in text.split(","):
        n = usable_cores() if t == "all" else int(t)
        if n < 1:
            die(f"--threads: {t} is not a positive count")
        if n not in out:
            out.append(n)
    return out


def find_loom_bench(flag):
    path = flag or os.path.join(REPO, "tools", "loom-bench", "loom-bench")
    if not os.path.isfile(path):
        die(f"{path}: no loom-bench there (pass --loom-bench PATH)")
    return path


def run_models(args, compiled=None):
    plan_dir = os.path.abspath(compiled or args.compiled or os.path.join(
        REPO, "bench", "models", f"compiled-{args.size}"))
    try:
        with open(os.path.join(plan_dir, "plan.json"), encoding="utf-8") as f:
            plan = json.load(f)
    except FileNotFoundError:
        die(f"{plan_dir} has no plan.json (run `run.py compile` first, or pass "
            "--compiled DIR)")
    if plan.get("format_version") != FORMAT_VERSION:
        die(f"{plan_dir}/plan.json has format {plan.get('format_version')}, "
            f"this run.py reads {FORMAT_VERSION}")
    only = names_arg(args.only)
    models = [e for e in plan["models"] if not only or e["name"] in only]
    if only:
        unknown = set(only) - {e["name"] for e in plan["models"]}
        if unknown:
            die(f"not in {plan_dir}/plan.json: {', '.join(sorted(unknown))}")
    threads = thread_counts(args.threads)
    bench = find_loom_bench(args.loom_bench)

    generated = [e["name"] for e in models
                 if "generated" in e["onnx"] and e.get("compile", {}).get("ok")]
    models_dir, problems = resolve_generated(plan, plan_dir, args.models_dir,
                                             generated) if generated else (None, {})

    def path_of(ref):
        if "generated" in ref:
            return os.path.join(models_dir, ref["generated"])
        return ref["path"] if os.path.isabs(ref["path"]) else \
            os.path.join(plan_dir, ref["path"])

    results = []
    for e in models:
        base = {"name": e["name"], "suite": e["suite"], "description": e["description"],
                "flops": e["flops"], "weight_bytes": e["weight_bytes"],
                "compile": e.get("compile")}
        if not e.get("compile", {}).get("ok"):
            results.append({**base, "status": "not compiled: " +
                            e.get("compile", {}).get("error", "?")})
            continue
        if e["name"] in problems:
            results.append({**base, "status": "skipped: " + problems[e["name"]]})
            continue
        peer = path_of(e.get("peer_onnx") or e["onnx"])
        for t in threads:
            with tempfile.TemporaryDirectory() as tmp:
                out_json = os.path.join(tmp, "r.json")
                cmd = [sys.executable, bench, os.path.join(plan_dir, e["dir"]),
                       "--threads", str(t), "--reps", str(args.reps),
                       "--warmup", str(args.warmup),
                       "--max-seconds", str(args.max_seconds),
                       "--compare-onnxruntime", peer, "--json", out_json]
                for i in e["inputs"]:
                    cmd += ["--input", path_of({"path": i})]
                if args.check_tolerance is not None:
                    # A model may need more (make_models.py: approximate peers).
                    tol = max(args.check_tolerance, e.get("check_tolerance", 0))
                    cmd += ["--check-tolerance", str(tol)]
                log(f"run: {e['name']}, {t} thread{'s' if t > 1 else ''}")
                try:
                    p = subprocess.run(cmd, capture_output=True, text=True,
                                       timeout=args.timeout)
                    rc, stdout, stderr = p.returncode, p.stdout, p.stderr
                except subprocess.TimeoutExpired:
                    rc, stdout, stderr = None, "", f"timed out after {args.timeout} s"
                r = {**base, "threads": t}
                if os.path.isfile(out_json):
                    with open(out_json, encoding="utf-8") as f:
                        r["bench"] = json.load(f)
                if rc == 0:
                    r["status"] = "ok"
                elif "bench" in r and not r["bench"].get("ok", True):
                    r["status"] = "numerics out of tolerance"
                else:
                    msg = (stderr.strip().splitlines() or ["(no message)"])[-1]
                    if msg.startswith("error: "):
                        msg = msg[len("error: "):]
                    r["status"] = f"failed: {msg}"
                if args.verbose or rc != 0:
                    sys.stdout.write(stdout)
                    sys.stdout.write(stderr)
                results.append(r)

    label = args.label or default_label()
    date = datetime.date.today().isoformat()
    os.makedirs(args.results_dir, exist_ok=True)
    path = os.path.join(args.results_dir, f"cpu-{label}-{date}.json")
    n = 2
    while os.path.exists(path):
        path = os.path.join(args.results_dir, f"cpu-{label}-{date}-{n}.json")
        n += 1
    report = {"generator": "bench/cpu/run.py", "format_version": FORMAT_VERSION,
              "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
                  timespec="seconds"),
              "label": label, "size": plan["size"],
              "machine": {"hostname": socket.gethostname(), "cpu_model": cpu_model(),
                          "cpu_count": os.cpu_count(), "usable_cores": usable_cores(),
                          "platform": platform.platform()},
              "compiled_on": plan.get("compiled_on"),
              "loomc_args": plan.get("loomc_args"),
              "settings": {"threads": threads, "reps": args.reps, "warmup": args.warmup,
                           "max_seconds": args.max_seconds,
                           "check_tolerance": args.check_tolerance},
              "results": results}
    write_json(path, report)
    print_table(report)
    log(f"run: results -> {path}")
    bad = [r for r in results if r["status"] != "ok" and
           not r["status"].startswith("not compiled")]
    return 1 if bad else 0


def print_table(report):
    """A Markdown table of the medians, for bench/README.md."""
    m = report["machine"]
    ort_versions = {r["bench"]["onnxruntime"]["version"] for r in report["results"]
                    if "onnxruntime" in r.get("bench", {})}
    print(f"\n{report['date'][:10]}, {m['cpu_model']}, {m['usable_cores']} cores, "
          f"onnxruntime {', '.join(sorted(ort_versions)) or '?'}, "
          f"size {report['size']}")
    head = ["model", "threads", "loom ms", "ort ms", "ort/loom", "loom GFLOP/s",
            "ort GFLOP/s", "loom weights GB/s", "rel err", "status"]
    rows = []
    for r in report["results"]:
        b = r.get("bench")
        if not b or "onnxruntime" not in b:
            rows.append([r["name"], str(r.get("threads", "-"))] + ["-"] * 7 +
                        [r["status"]])
            continue
        lm, om = b["loom"]["median_ms"], b["onnxruntime"]["median_ms"]
        gf = lambda ms: f"{r['flops'] / ms / 1e6:.1f}" if r.get("flops") else "-"
        gb = f"{r['weight_bytes'] / lm / 1e6:.1f}" if r.get("weight_bytes") else "-"
        errs = [o["rel_err"] for o in b.get("outputs", [])]
        err = "inf" if any(x is None for x in errs) else \
            f"{max(errs):.1e}" if errs else "-"
        ratio = b.get("ratio_ort_over_loom")
        rows.append([r["name"], str(r["threads"]), f"{lm:.4g}", f"{om:.4g}",
                     f"{ratio:.3f}" if ratio is not None else "-", gf(lm), gf(om), gb,
                     err, r["status"]])
    # Long statuses (error messages) are cut here; the JSON has them in full.
    for row in rows:
        if len(row[-1]) > 60:
            row[-1] = row[-1][:57] + "..."
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h)
              for i, h in enumerate(head)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in
                                           zip(cells, widths)) + " |"
    print(line(head))
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for row in rows:
        print(line(row))


# ===------------------------------------------------------------------------===#
# Command line
# ===------------------------------------------------------------------------===#


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="step", required=True)

    def compile_options(q):
        q.add_argument("--size", choices=sorted(make_models.SIZES), default="full",
                       help="model dimensions (smoke: toy sizes for CI)")
        q.add_argument("--suite", help=f"comma-separated suites (default: "
                                        f"{','.join(SUITES)})")
        q.add_argument("--only", help="comma-separated model names (overrides "
                                      "--suite)")
        q.add_argument("--mcpu", help="loomc --mcpu: the CPU to compile for "
                                      "(default: this host's; e.g. emeraldrapids "
                                      "for the 16-core device host, x86-64-v3 for "
                                      "any AVX2 machine)")
        q.add_argument("--loomc", help="the loomc binary (default: build/bin/loomc)")
        q.add_argument("--loomc-arg", action="append",
                       help="one more loomc argument (repeatable), e.g. --threads=4")
        q.add_argument("--models-dir", help="generated ONNX models (default: "
                                            "bench/models/<size>)")
        q.add_argument("--shared", default=os.path.normpath(
            os.path.join(REPO, "..", "shared", "models")),
            help="the shared tiny models (default: ../shared/models)")
        q.add_argument("--out", help="compile output (default: "
                                     "bench/models/compiled-<size>)")
        q.add_argument("--bundle", help="also write a copy to carry to another "
                                        "machine here")
        q.add_argument("--bundle-max-mib", type=int, default=40,
                       help="split the bundle into parts of at most this size "
                            "(default 40; the device takes 64 MiB per call)")

    def run_options(q, standalone):
        if standalone:
            q.add_argument("--compiled", help="a compile output or bundle (default: "
                                              "bench/models/compiled-full)")
            q.add_argument("--size", default="full", help=argparse.SUPPRESS)
            q.add_argument("--only", help="comma-separated model names")
            q.add_argument("--models-dir", help="where the generated ONNX models are "
                                                "or are regenerated (default: the "
                                                "compile step's, else COMPILED/models)")
        q.add_argument("--threads", default="1,all",
                       help="comma-separated thread counts; 'all' = every usable core "
                            "(default: 1,all)")
        q.add_argument("--reps", type=int, default=20, help="timed calls (default 20)")
        q.add_argument("--warmup", type=int, default=3, help="warm-up calls (default 3)")
        q.add_argument("--max-seconds", type=float, default=60.0,
                       help="loom-bench's time budget per model and thread count: "
                            "fewer reps for slow models (default 60)")
        q.add_argument("--timeout", type=float, default=3600.0,
                       help="kill a loom-bench run after this many seconds")
        q.add_argument("--check-tolerance", type=float, default=1e-4,
                       help="relative error limit vs onnxruntime (default 1e-4)")
        q.add_argument("--label", help="results file label (default: the CPU model "
                                       "and core count, e.g. intel-xeon-16c)")
        q.add_argument("--results-dir", default=os.path.join(REPO, "bench", "results"))
        q.add_argument("--loom-bench", help="default: tools/loom-bench/loom-bench")
        q.add_argument("-v", "--verbose", action="store_true",
                       help="print every loom-bench report")

    compile_options(sub.add_parser("compile", help="generate and compile the models"))
    run_options(sub.add_parser("run", help="benchmark compiled models"), True)
    both = sub.add_parser("all", help="compile, then run, on this machine")
    compile_options(both)
    run_options(both, False)
    args = p.parse_args(argv)

    if args.step == "compile":
        compile_models(args)
        return 0
    if args.step == "run":
        return run_models(args)
    out = compile_models(args)
    args.compiled, args.only, args.models_dir = out, None, None
    return run_models(args, out)


if __name__ == "__main__":
    sys.exit(main())
