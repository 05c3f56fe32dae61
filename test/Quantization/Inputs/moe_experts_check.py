"""Checks loom-quantize's expert weights on tiny_moe_block by execution.

    python moe_experts_check.py MODEL.onnx INPUT.npy LOOM_OUTPUT.npy

The three expert weight initializers (w1, w3 [E,H,F], w2 [E,F,H]; expert e
computes rows x W[e], reducing dimension 1) are replaced by their symmetric
int8 per-output-channel round-to-nearest dequantization (what loom-quantize
stores and dequantizes in each call), the model is run by onnxruntime, and
Loom's output of the quantized model must match it to 1e-5 of its largest
value. Also prints both outputs' error against the unquantized model.
"""
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper


def dequantized(w):
    out = np.empty_like(w)
    for e in range(w.shape[0]):
        m = w[e].astype(np.float64)                 # [K, N]
        s = (np.abs(m).max(axis=0) / 127).astype(np.float32)
        s = np.where(s > 0, s, np.float32(1))
        q = np.clip(np.round(m / s.astype(np.float64)), -128, 127)
        out[e] = (q.astype(np.float32) * s).astype(np.float32)
    return out


def run(model, x):
    session = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def main(path, input_path, loom_path):
    model = onnx.load(path)
    x = np.load(input_path)
    fp32 = run(model, x)
    for init in model.graph.initializer:
        if init.name in ("w1", "w2", "w3"):
            init.CopyFrom(numpy_helper.from_array(
                dequantized(numpy_helper.to_array(init)), init.name))
    ref = run(model, x)
    loom = np.load(loom_path)
    scale = np.abs(ref).max()
    diff = float(np.abs(loom - ref).max() / scale)
    print("int8 experts: error vs fp32 %.3e (onnxruntime) %.3e (loom)" % (
        np.abs(ref - fp32).max() / scale, np.abs(loom - fp32).max() / scale))
    print("max |loom - onnxruntime with the dequantized experts| / max: %.2e"
          % diff)
    if not diff <= 1e-5:
        sys.exit("FAIL: the quantized experts are not what loom-quantize "
                 "claims")
    print("ok")


if __name__ == "__main__":
    main(*sys.argv[1:])
