#!/usr/bin/env python3
"""Side by side with hls4ml: one small dense network built by both tools.

The network: x[16] -> Dense 32 + ReLU -> Dense 8 (seeded random weights).

  make-onnx --out D       the network as ONNX (MatMul+Add+Relu+MatMul+Add, float32,
                          input [1,16]) for loomc, its weights and inputs (.npy) and the
                          float64 NumPy reference; checks the ONNX with onnxruntime
  hls4ml --out D          builds the same network in hls4ml (ModelGraph from a layer list:
                          no Keras/PyTorch), io_parallel, ap_fixed<16,6>, --reuse R;
                          C-simulates it (hls4ml's g++ build, against the given ap_types
                          headers) and writes the outputs and a JSON summary
  loom --data D --out L   compiles dense.onnx with loomc --target=hls (default
                          fixed<16,6> with AP_TRN/AP_WRAP, hls4ml's modes) and runs its
                          C simulation on every input (L/outputs.npy)
  compare --loom L --hls4ml H
                          reads what `loomc --target=hls -o L` wrote (manifest.json,
                          run_csim.sh, estimate.json, Loom's C-simulation outputs) next to
                          the hls4ml summary; fails clearly on a missing file

See docs/HLS4ml.md.
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

N_IN, N_HIDDEN, N_OUT = 16, 32, 8
WEIGHT_NAMES = ("w1", "b1", "w2", "b2")


def make_data(seed, samples):
    """Glorot-uniform weights, small biases, inputs uniform in [-1, 1) (float32)."""
    rng = np.random.default_rng(seed)

    def glorot(n_in, n_out):
        limit = np.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32)

    weights = {"w1": glorot(N_IN, N_HIDDEN),
               "b1": rng.uniform(-0.1, 0.1, N_HIDDEN).astype(np.float32),
               "w2": glorot(N_HIDDEN, N_OUT),
               "b2": rng.uniform(-0.1, 0.1, N_OUT).astype(np.float32)}
    inputs = rng.uniform(-1.0, 1.0, (samples, N_IN)).astype(np.float32)
    return weights, inputs


def reference(weights, inputs):
    """The float reference, in float64 from the float32 data."""
    w = {k: v.astype(np.float64) for k, v in weights.items()}
    hidden = np.maximum(inputs.astype(np.float64) @ w["w1"] + w["b1"], 0.0)
    return hidden @ w["w2"] + w["b2"]


def load_data(directory):
    """Weights, inputs and reference written by make-onnx."""
    names = WEIGHT_NAMES + ("inputs", "reference")
    missing = [n for n in names if not os.path.isfile(os.path.join(directory, n + ".npy"))]
    if missing:
        fail(f"{directory}: missing {', '.join(n + '.npy' for n in missing)} "
             f"(write them with `dense.py make-onnx --out {directory}`)")
    data = {n: np.load(os.path.join(directory, n + ".npy")) for n in names}
    return {k: data[k] for k in WEIGHT_NAMES}, data["inputs"], data["reference"]


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------- make-onnx

def make_onnx(weights):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    inits = [numpy_helper.from_array(weights[k], name=k) for k in WEIGHT_NAMES]
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["mm1"], name="matmul1"),
             helper.make_node("Add", ["mm1", "b1"], ["fc1"], name="add1"),
             helper.make_node("Relu", ["fc1"], ["relu1"], name="relu1"),
             helper.make_node("MatMul", ["relu1", "w2"], ["mm2"], name="matmul2"),
             helper.make_node("Add", ["mm2", "b2"], ["y"], name="add2")]
    graph = helper.make_graph(
        nodes, "dense",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, N_IN])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, N_OUT])],
        initializer=inits)
    model = helper.make_model(graph, producer_name="loom-bench-hls",
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def cmd_make_onnx(args):
    os.makedirs(args.out, exist_ok=True)
    weights, inputs = make_data(args.seed, args.samples)
    ref = reference(weights, inputs)
    model = make_onnx(weights)
    path = os.path.join(args.out, "dense.onnx")
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    for name, value in list(weights.items()) + [("inputs", inputs), ("reference", ref)]:
        np.save(os.path.join(args.out, name + ".npy"), value)
    print(f"wrote {path}: x[1,{N_IN}] -> MatMul+Add+Relu -> MatMul+Add -> y[1,{N_OUT}], "
          f"{args.samples} inputs (seed {args.seed})")
    if args.check_ort is not None:
        import onnxruntime as ort
        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        ort_out = np.stack([sess.run(["y"], {"x": x[None, :]})[0][0] for x in inputs])
        err = float(np.abs(ort_out - ref).max())
        ok = err <= args.check_ort
        print(f"onnxruntime vs NumPy float64: max abs error {err:.3e} "
              f"(bound {args.check_ort:g}): {'ok' if ok else 'EXCEEDED'}")
        if not ok:
            sys.exit(1)


# ---------------------------------------------------------------- hls4ml

def cmd_hls4ml(args):
    import hls4ml_side
    data_dir = os.path.abspath(args.data or args.out)
    weights, inputs, ref = load_data(data_dir)
    os.makedirs(args.out, exist_ok=True)
    summary, outputs = hls4ml_side.build_and_run(
        weights, inputs, out_dir=args.out, reuse=args.reuse, precision=args.precision,
        ap_types=args.ap_types or os.environ.get("LOOM_HLS_AP_TYPES_DIR"))
    summary["data_dir"] = data_dir
    err = np.abs(outputs.astype(np.float64) - ref)
    summary["error_vs_float"] = {
        "samples": int(inputs.shape[0]),
        "max_abs": float(err.max()),
        "mean_abs": float(err.mean()),
        "mean_signed": float((outputs - ref).mean()),
        "max_abs_reference": float(np.abs(ref).max())}
    bound = hls4ml_side.error_bound(weights, inputs, args.precision)
    summary["worst_case_bound"] = {"max": float(bound.max()), "min": float(bound.min()),
                                   "max_ratio": float((err / bound).max()),
                                   "holds": bool((err <= bound).all())}
    np.save(os.path.join(args.out, "hls4ml_outputs.npy"), outputs)
    write_json(os.path.join(args.out, "hls4ml_summary.json"), summary)
    hls4ml_side.print_summary(summary)
    if args.max_error is not None:
        ok = summary["error_vs_float"]["max_abs"] <= args.max_error
        print(f"hls4ml vs float: max abs error {summary['error_vs_float']['max_abs']:.4g} "
              f"(bound {args.max_error:g}): {'ok' if ok else 'EXCEEDED'}")
        if not ok:
            sys.exit(1)
    if not summary["worst_case_bound"]["holds"]:
        print("error: the error exceeds the worst-case bound of some output", file=sys.stderr)
        sys.exit(1)
    if summary["emulation"]["mismatches"] != 0:
        print("error: hls4ml's C simulation differs from the NumPy emulation of its "
              "fixed-point semantics", file=sys.stderr)
        sys.exit(1)


# ---------------------------------------------------------------- Loom

def cmd_loom(args):
    """loomc --target=hls on the ONNX model, then its C simulation on every
    input (one run of the testbench per sample: the model takes [1,16])."""
    import subprocess
    import tempfile
    data_dir = os.path.abspath(args.data)
    weights, inputs, ref = load_data(data_dir)
    out = os.path.abspath(args.out)
    cmd = [args.loomc, os.path.join(data_dir, "dense.onnx"), "--target=hls",
           "--name=dense", "--hls-precision=" + args.precision,
           "--hls-rounding=" + args.rounding, "--hls-overflow=" + args.overflow,
           "--hls-ii=%d" % args.ii, "-o", out]
    if args.unroll is not None:
        cmd.append("--hls-unroll=%d" % args.unroll)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        fail("loomc failed:\n" + r.stdout)
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    x_name = manifest["inputs"][0]["c_name"]
    y_name = manifest["outputs"][0]["c_name"]
    outputs = []
    with tempfile.TemporaryDirectory() as tmp:
        indir, resdir = os.path.join(tmp, "in"), os.path.join(tmp, "res")
        os.makedirs(indir)
        binary = None
        for x in inputs:
            np.save(os.path.join(indir, x_name + ".npy"), x[None, :])
            if binary is None:
                run = [os.path.join(out, "run_csim.sh"), indir, resdir]
                binary = os.path.join(resdir, "dense_csim")
            else:
                run = [binary, indir, resdir]
            r = subprocess.run(run, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
            if r.returncode != 0:
                fail("C simulation failed:\n" + r.stdout)
            outputs.append(np.load(os.path.join(resdir, y_name + ".npy")).reshape(-1))
    outputs = np.stack(outputs)
    np.save(os.path.join(out, "outputs.npy"), outputs)
    err = float(np.abs(outputs.astype(np.float64) - ref).max())
    print(f"Loom ({args.precision}, {args.rounding}/{args.overflow}): C simulation of "
          f"{len(inputs)} inputs, max abs error vs float {err:.4g}")
    if args.max_error is not None and err > args.max_error:
        fail(f"Loom's error {err:.4g} exceeds {args.max_error:g}")


# ---------------------------------------------------------------- compare

def cmd_compare(args):
    import compare_side
    compare_side.compare(args)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("make-onnx", help="the ONNX model, weights, inputs, reference")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--samples", type=int, default=256)
    p.add_argument("--check-ort", type=float, nargs="?", const=1e-5, default=None,
                   metavar="TOL", help="run onnxruntime; fail above TOL (default 1e-5)")
    p.set_defaults(func=cmd_make_onnx)

    p = sub.add_parser("hls4ml", help="build and C-simulate the hls4ml project")
    p.add_argument("--out", required=True)
    p.add_argument("--data", help="make-onnx's directory (default: --out)")
    p.add_argument("--reuse", type=int, default=1)
    p.add_argument("--precision", default="ap_fixed<16,6>")
    p.add_argument("--ap-types", help="ap_types include directory (default: "
                   "$LOOM_HLS_AP_TYPES_DIR, else hls4ml's own copy)")
    p.add_argument("--max-error", type=float, help="fail above this max abs error")
    p.set_defaults(func=cmd_hls4ml)

    p = sub.add_parser("loom", help="compile with loomc --target=hls and C-simulate")
    p.add_argument("--out", required=True, help="loomc's output directory")
    p.add_argument("--data", required=True, help="make-onnx's directory")
    p.add_argument("--loomc", default="loomc")
    p.add_argument("--precision", default="fixed<16,6>")
    p.add_argument("--rounding", default="trn", help="trn matches hls4ml's default AP_TRN")
    p.add_argument("--overflow", default="wrap", help="wrap matches hls4ml's AP_WRAP")
    p.add_argument("--ii", type=int, default=1)
    p.add_argument("--unroll", type=int)
    p.add_argument("--max-error", type=float, help="fail above this max abs error")
    p.set_defaults(func=cmd_loom)

    p = sub.add_parser("compare", help="Loom's HLS output next to hls4ml's")
    p.add_argument("--loom", required=True, help="loomc --target=hls output directory")
    p.add_argument("--hls4ml", required=True, help="the hls4ml subcommand's --out")
    p.add_argument("--data", help="make-onnx's directory (default: --hls4ml's data)")
    p.add_argument("--loom-outputs", help="Loom's C-simulation outputs on the inputs "
                   "(.npy [N,8]; default: LOOM/outputs.npy)")
    p.add_argument("--json", help="also write the comparison here")
    p.set_defaults(func=cmd_compare)

    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
