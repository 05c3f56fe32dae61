"""The hls4ml side of bench/hls/dense.py: build, C-simulate, emulate, summarise.

The network is given to hls4ml as a layer list (ModelGraph.from_layer_list, the path
its Keras/PyTorch/ONNX converters end in), so neither Keras nor PyTorch is needed.
"""

import filecmp
import math
import os
import re
import shutil
import time

import numpy as np

PROJECT = "dense"


def layer_list(weights):
    """hls4ml's layer dictionaries for x -> Dense -> ReLU -> Dense."""
    def dense(name, w, b):
        return {"name": name, "class_name": "Dense", "n_in": int(w.shape[0]),
                "n_out": int(w.shape[1]), "weight_data": w, "bias_data": b,
                "activation": "linear", "weight_quantizer": None, "bias_quantizer": None}
    # 'input' is a reserved layer name in hls4ml.
    return [{"name": "x", "class_name": "InputLayer", "input_shape": [int(weights["w1"].shape[0])]},
            dense("fc1", weights["w1"], weights["b1"]),
            {"name": "relu1", "class_name": "Activation", "activation": "relu"},
            dense("fc2", weights["w2"], weights["b2"])]


def use_ap_types(project_dir, ap_types):
    """Builds against `ap_types` instead of the copy hls4ml writes into the project.

    Returns whether that copy was identical to `ap_types` (file by file)."""
    copy = os.path.join(project_dir, "firmware", "ap_types")
    cmp = filecmp.dircmp(copy, ap_types)
    identical = _same_tree(cmp)
    shutil.rmtree(copy)
    script = os.path.join(project_dir, "build_lib.sh")
    with open(script) as f:
        text = f.read()
    old = 'INCFLAGS="-Ifirmware/ap_types/"'
    if old not in text:
        raise RuntimeError(f"{script}: no line {old} to redirect to {ap_types}")
    with open(script, "w") as f:
        f.write(text.replace(old, f'INCFLAGS="-I{os.path.abspath(ap_types)}"'))
    return identical


def _same_tree(cmp):
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
    return not mismatch and not errors and all(_same_tree(s) for s in cmp.subdirs.values())


def parse_fixed(precision):
    """ap_fixed<W,I[,Q[,O]]> -> (W, I, Q, O) with hls4ml's defaults AP_TRN, AP_WRAP."""
    m = re.fullmatch(r"\s*ap_fixed<\s*(\d+)\s*,\s*(-?\d+)\s*(?:,\s*(\w+)\s*)?(?:,\s*(\w+)\s*)?>\s*",
                     precision)
    if not m:
        raise ValueError(f"unsupported precision '{precision}' (expected ap_fixed<W,I[,Q[,O]]>)")
    q, o = m.group(3) or "AP_TRN", m.group(4) or "AP_WRAP"
    if q not in ("AP_TRN", "AP_RND", "AP_RND_CONV") or o not in ("AP_WRAP", "AP_SAT"):
        raise ValueError(f"the emulation handles AP_TRN/AP_RND/AP_RND_CONV and "
                         f"AP_WRAP/AP_SAT, not {q}/{o}")
    return int(m.group(1)), int(m.group(2)), q, o


class Fixed:
    """ap_fixed<W,I,Q,O> values as int64 multiples of 2^-F (F = W - I)."""

    def __init__(self, precision):
        self.w, self.i, self.q, self.o = parse_fixed(precision)
        self.f = self.w - self.i

    def _round(self, scaled):
        """Rounds exact float64 values already scaled by 2^F to integers."""
        if self.q == "AP_TRN":
            return np.floor(scaled)
        if self.q == "AP_RND":
            return np.floor(scaled + 0.5)
        return np.round(scaled)  # AP_RND_CONV: half to even

    def _overflow(self, v):
        lo, hi = -(1 << (self.w - 1)), (1 << (self.w - 1)) - 1
        if self.o == "AP_SAT":
            return np.clip(v, lo, hi)
        return (v - lo) % (1 << self.w) + lo

    def from_float(self, x):
        return self._overflow(self._round(np.asarray(x, np.float64) * 2.0 ** self.f).astype(np.int64))

    def from_product(self, p):
        """An exact product (multiple of 2^-2F) assigned to this type."""
        return self.from_float(p.astype(np.float64) * 2.0 ** (-2 * self.f))  # exact: |p| < 2^53

    def add(self, a, b):
        return self._overflow(a + b)

    def to_float(self, v):
        return v.astype(np.float64) * 2.0 ** -self.f


def emulate(model, project_dir, inputs, precision):
    """hls4ml's io_parallel dense_latency in NumPy: inputs, weights (from the txt files
    the C simulation loads) and biases quantized to the type, each product assigned to
    accum_t, accumulated from the bias in the kernel's order, ReLU exact."""
    fx = Fixed(precision)
    value = fx.from_float(inputs)
    for layer in model.get_layers():
        if layer.class_name == "Dense":
            n_in, n_out = layer.get_attr("n_in"), layer.get_attr("n_out")
            w = fx.from_float(_read_txt(project_dir, layer.get_weights("weight").name))
            b = fx.from_float(_read_txt(project_dir, layer.get_weights("bias").name))
            w = w.reshape(n_in, n_out)
            acc = np.broadcast_to(b, (value.shape[0], n_out)).copy()
            for ii in range(n_in):
                acc = fx.add(acc, fx.from_product(value[:, ii:ii + 1] * w[ii][None, :]))
            value = acc
        elif layer.class_name == "Activation":
            if layer.get_attr("activation") != "relu":
                raise ValueError(f"emulation: unsupported activation {layer.get_attr('activation')}")
            value = np.maximum(value, 0)
        elif layer.class_name != "Input":
            raise ValueError(f"emulation: unsupported layer {layer.class_name}")
    return fx.to_float(value)


def error_bound(weights, inputs, precision):
    """A worst-case bound on |fixed - float| per output, from the data.

    Every quantization (input, weight, bias, each product into accum_t) errs by at most
    q = 2^-F (AP_TRN) or 2^-F/2 (rounding); sums are exact (no overflow assumed: the
    check fails if one happens). For y_j = b_j + sum_i x_i w_ij with |x^_i - x_i| <= e_i:
      |y^_j - y_j| <= q + sum_i (e_i (|w_ij| + q) + |x_i| q + q);
    ReLU does not increase it."""
    fx = Fixed(precision)
    q = 2.0 ** -fx.f * (1.0 if fx.q == "AP_TRN" else 0.5)
    x = inputs.astype(np.float64)
    e = np.full_like(x, q)
    for w, b, relu in ((weights["w1"], weights["b1"], True), (weights["w2"], weights["b2"], False)):
        w = w.astype(np.float64)
        e = q + e @ (np.abs(w) + q) + np.abs(x) @ np.full_like(w, q) + w.shape[0] * q
        x = x @ w + b
        if relu:
            x = np.maximum(x, 0.0)
    return e


def _read_txt(project_dir, name):
    with open(os.path.join(project_dir, "firmware", "weights", name + ".txt")) as f:
        return np.array([float(t) for t in f.read().split(",")], np.float64)


def implied_config(project_dir, model):
    """What the generated code's configuration implies, read from parameters.h."""
    with open(os.path.join(project_dir, "firmware", "parameters.h")) as f:
        params = f.read()
    layers = []
    for m in re.finditer(r"//\s*(\w+)\s*\nstruct\s+(\w+)\s*:\s*nnet::dense_config\s*\{(.*?)\n\};",
                         params, re.S):
        consts = {k: int(v) for k, v in
                  re.findall(r"static const unsigned (\w+) = (\d+);", m.group(3))}
        strategy = re.search(r"static const unsigned strategy = nnet::(\w+);", m.group(3))
        rf, n_in, n_out = consts["reuse_factor"], consts["n_in"], consts["n_out"]
        # parameters.h: multiplier_limit = DIV_ROUNDUP(n_in * n_out, reuse_factor)
        #                                  - n_zeros / reuse_factor
        mults = math.ceil(n_in * n_out / rf) - consts["n_zeros"] // rf
        layers.append({"layer": m.group(1), "config": m.group(2), "n_in": n_in,
                       "n_out": n_out, "reuse_factor": rf,
                       "strategy": strategy.group(1) if strategy else None,
                       "ii": rf, "multipliers": mults, "macs": n_in * n_out})
    with open(os.path.join(project_dir, "firmware", "defines.h")) as f:
        types = dict((n, t) for t, n in re.findall(r"typedef\s+(.+?)\s+(\w+);", f.read()))
    with open(os.path.join(project_dir, "firmware", PROJECT + ".cpp")) as f:
        pragmas = [ln.strip() for ln in f if ln.strip().startswith("#pragma HLS")]
    cfg = model.config.config
    return {"layers": layers, "types": types, "top_pragmas": pragmas,
            "network_ii": max(l["ii"] for l in layers),
            "multipliers_total": sum(l["multipliers"] for l in layers),
            "part": cfg.get("Part"), "clock_period_ns": cfg.get("ClockPeriod"),
            "latency_cycles": None,
            "latency_note": "hls4ml exposes no latency without running Vivado/Vitis HLS "
                            "synthesis (hls4ml.report only parses csynth reports)"}


def build_and_run(weights, inputs, out_dir, reuse, precision, ap_types):
    import hls4ml
    from hls4ml.model import ModelGraph
    from hls4ml.utils.config import create_config

    project_dir = os.path.abspath(os.path.join(out_dir, f"hls4ml_prj_rf{reuse}"))
    shutil.rmtree(project_dir, ignore_errors=True)
    config = create_config(output_dir=project_dir, project_name=PROJECT, backend="Vitis",
                           io_type="io_parallel")
    config["HLSConfig"] = {"Model": {"Precision": precision, "ReuseFactor": reuse,
                                     "Strategy": "Latency"}}
    model = ModelGraph.from_layer_list(config, layer_list(weights))
    model.write()
    if not ap_types:  # hls4ml's own copy, which is what the CMake setup points at too
        ap_types = os.path.join(os.path.dirname(hls4ml.__file__), "templates", "vivado", "ap_types")
    identical = use_ap_types(project_dir, ap_types)
    start = time.perf_counter()
    model._compile()  # compile() would write() again, restoring the ap_types copy
    compile_s = time.perf_counter() - start
    outputs = np.asarray(model.predict(np.ascontiguousarray(inputs, np.float32)), np.float32)
    emulated = emulate(model, project_dir, inputs, precision)
    mismatches = int(np.count_nonzero(outputs.astype(np.float64) != emulated))
    summary = {"tool": "hls4ml", "hls4ml_version": hls4ml.__version__, "backend": "Vitis",
               "io_type": "io_parallel", "strategy": "Latency", "precision": precision,
               "reuse_factor_requested": reuse, "project_dir": project_dir,
               "ap_types": os.path.abspath(ap_types),
               "ap_types_copy_identical": identical, "csim_compile_s": round(compile_s, 2),
               "emulation": {"mismatches": mismatches, "elements": int(outputs.size)},
               "implied": implied_config(project_dir, model)}
    return summary, outputs


def print_summary(s):
    imp = s["implied"]
    print(f"hls4ml {s['hls4ml_version']} {s['backend']} {s['io_type']} {s['strategy']} "
          f"{s['precision']} ReuseFactor={s['reuse_factor_requested']}; C simulation "
          f"against {s['ap_types']} (hls4ml's copy identical: {s['ap_types_copy_identical']})")
    print(f"{'layer':<6} {'n_in':>5} {'n_out':>5} {'reuse':>5} {'II':>3} {'mults':>6}")
    for l in imp["layers"]:
        print(f"{l['layer']:<6} {l['n_in']:>5} {l['n_out']:>5} {l['reuse_factor']:>5} "
              f"{l['ii']:>3} {l['multipliers']:>6}")
    print(f"network II {imp['network_ii']}, {imp['multipliers_total']} multipliers; "
          f"latency: {imp['latency_note']}")
    e, em = s["error_vs_float"], s["emulation"]
    print(f"vs float ({e['samples']} inputs): max abs {e['max_abs']:.4g}, mean abs "
          f"{e['mean_abs']:.3g}, mean signed {e['mean_signed']:.3g} (max |ref| "
          f"{e['max_abs_reference']:.3g})")
    b = s["worst_case_bound"]
    print(f"worst-case bound per output: {b['min']:.3g} to {b['max']:.3g}; error / bound "
          f"at most {b['max_ratio']:.3g}: {'holds' if b['holds'] else 'VIOLATED'}")
    print(f"NumPy emulation of hls4ml's fixed point: {em['mismatches']} of "
          f"{em['elements']} outputs differ")
