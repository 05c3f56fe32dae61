"""Quantized and half-precision variants of the shared test models, with
onnxruntime's output on each variant as the reference.

    python -m onnx_quant_models <model> <variant> <dir>

<model> is a file stem of shared/models (tiny_llama, tiny_vit, ...); the
shared directory is $LOOM_SHARED or ../shared next to the source tree.
Variants, each made with onnxruntime's own tools at test time:

  dynamic        quantize_dynamic, int8 weights (MatMulInteger +
                 DynamicQuantizeLinear; ConvInteger for a Conv)
  dynamic_matmul the same with op_types_to_quantize=["MatMul"]
  nbits4         MatMulNBitsQuantizer, 4 bits, block 32, symmetric
  nbits4_asym    the same, asymmetric (packed uint8 zero points)
  nbits4_gather  asymmetric, Gather too (GatherBlockQuantized, uint4)
  nbits8         8 bits, block 32, asymmetric
  f16            onnxconverter_common float16 conversion (f16 inputs and
                 outputs)
  bf16           every float initializer stored as bfloat16 (rounded to
                 nearest even) and Cast to float where read (to_bf16)

Writes <dir>/<model>_<variant>.onnx, <dir>/<model>_<variant>_in0.npy (the
shared input, converted to the variant's input type) and
<dir>/<model>_<variant>_ref0.npy (onnxruntime's first output on that file),
and prints the quantized ops the file holds, onnxruntime's optimized vs
unoptimized difference and its error against the f32 model's reference
(context for the tests' tolerances).
"""

import logging
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def shared_dir():
    d = os.environ.get("LOOM_SHARED")
    if d:
        return d
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "..", "shared")


def quantize_dynamic(src, dst, ops=None):
    from onnxruntime.quantization import QuantType, quantize_dynamic as qd
    kw = {"op_types_to_quantize": ops} if ops else {}
    qd(src, dst, weight_type=QuantType.QInt8, **kw)


def nbits(src, dst, bits, symmetric, gather=False):
    from onnxruntime.quantization import matmul_nbits_quantizer as mq
    kw = {}
    if gather:
        kw = {"op_types_to_quantize": ("MatMul", "Gather"),
              "quant_axes": (("MatMul", 0), ("Gather", 1))}
    cfg = mq.DefaultWeightOnlyQuantConfig(block_size=32,
                                          is_symmetric=symmetric, bits=bits,
                                          **kw)
    q = mq.MatMulNBitsQuantizer(onnx.load(src), algo_config=cfg)
    q.process()
    q.model.save_model_to_file(dst)


def to_f16(src, dst):
    from onnxconverter_common import float16
    m = float16.convert_float_to_float16(onnx.load(src))
    onnx.save(m, dst)


def to_bf16(src, dst):
    """Float initializers stored as bfloat16 and Cast back to float where
    read: the weights are bf16 values, the arithmetic stays f32 (onnxruntime
    has few bf16 CPU kernels)."""
    m = onnx.load(src)
    g = m.graph
    casts = []
    for init in g.initializer:
        if init.data_type != TensorProto.FLOAT:
            continue
        a = numpy_helper.to_array(init)
        bits = a.astype(np.float32).view(np.uint32)
        # Round to nearest even onto the top 16 bits.
        bits = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
        name = init.name
        t = helper.make_tensor(name + "_bf16", TensorProto.BFLOAT16, a.shape,
                               bits.tobytes(), raw=True)
        init.CopyFrom(t)
        casts.append(helper.make_node("Cast", [name + "_bf16"], [name],
                                      to=TensorProto.FLOAT,
                                      name=name + "_to_f32"))
    for c in reversed(casts):
        g.node.insert(0, c)
    onnx.save(m, dst)


def main(argv):
    model, variant, out = argv
    logging.disable(logging.WARNING)
    src = os.path.join(shared_dir(), "models", model + ".onnx")
    dst = os.path.join(out, f"{model}_{variant}.onnx")
    makers = {
        "dynamic": lambda: quantize_dynamic(src, dst),
        "dynamic_matmul": lambda: quantize_dynamic(src, dst, ["MatMul"]),
        "nbits4": lambda: nbits(src, dst, 4, True),
        "nbits4_asym": lambda: nbits(src, dst, 4, False),
        "nbits4_gather": lambda: nbits(src, dst, 4, False, gather=True),
        "nbits8": lambda: nbits(src, dst, 8, False),
        "f16": lambda: to_f16(src, dst),
        "bf16": lambda: to_bf16(src, dst),
    }
    makers[variant]()
    import onnxruntime as ort
    sess = ort.InferenceSession(dst, providers=["CPUExecutionProvider"])
    x = np.load(os.path.join(shared_dir(), "models", model + "_input.npy"))
    inp = sess.get_inputs()[0]
    if inp.type == "tensor(float16)":
        x = x.astype(np.float16)
    np.save(os.path.join(out, f"{model}_{variant}_in0.npy"), x)
    y = sess.run(None, {inp.name: x})[0]
    np.save(os.path.join(out, f"{model}_{variant}_ref0.npy"), y)
    # onnxruntime's own spread: its unoptimized graph against its optimized
    # one (fusions reorder float work; a one-ulp change can move a dynamic
    # quantization code by one step).
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    plain = ort.InferenceSession(dst, so, providers=["CPUExecutionProvider"])
    y0 = plain.run(None, {inp.name: x})[0]
    spread = float(np.abs(y.astype(np.float32) - y0.astype(np.float32)).max())
    f32 = np.load(os.path.join(shared_dir(), "models", model + "_output.npy"))
    vs_f32 = float(np.abs(y.astype(np.float32) - f32).max())
    ops = sorted({(n.domain or "ai.onnx") + ":" + n.op_type
                  for n in onnx.load(dst).graph.node
                  if "Quant" in n.op_type or "Integer" in n.op_type
                  or "NBits" in n.op_type})
    print(f"{model}_{variant}: {' '.join(ops) or 'no quantized ops'}; output "
          f"{y.dtype} {list(y.shape)}, max |ref| "
          f"{float(np.abs(y.astype(np.float32)).max()):.4g}; onnxruntime "
          f"optimized vs unoptimized max_abs_diff={spread:.3e}, vs the f32 "
          f"model's reference max_abs_diff={vs_f32:.3e}")


if __name__ == "__main__":
    main(sys.argv[1:])
