"""A small self-attention block exported the way torch.onnx does it for dynamic
axes: the input `x` is [batch, sequence, 16] with symbolic batch and sequence
dimensions, and the head split and merge reshape to shapes computed from
Shape(x) (Shape, Gather, Unsqueeze, Concat), so they only become constants
once --shape gives the symbols sizes. A second input `mask` [batch, 1,
sequence] (additive) shares the symbols; `pooled` is a ReduceMean over the
sequence.

Usage: python symbolic_attention.py OUTDIR B:S [B:S ...]
  OUTDIR/attention.onnx
  OUTDIR/x_BxS.npy, OUTDIR/mask_BxS.npy     seeded random inputs
  OUTDIR/ref_y_BxS.npy, ref_pooled_BxS.npy  onnxruntime's outputs on them
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

HIDDEN, HEADS = 16, 2
HEAD_DIM = HIDDEN // HEADS


def build(rng):
    w = lambda *s: (rng.standard_normal(s) / np.sqrt(s[0])).astype(np.float32)
    i64 = lambda *v: np.array(v, np.int64)
    inits = [numpy_helper.from_array(w(HIDDEN, HIDDEN), n)
             for n in ("Wq", "Wk", "Wv", "Wo")]
    inits += [numpy_helper.from_array(np.array(0, np.int64), "zero"),
              numpy_helper.from_array(np.array(1, np.int64), "one"),
              numpy_helper.from_array(i64(0), "axes0"),
              numpy_helper.from_array(i64(HEADS, HEAD_DIM), "heads"),
              numpy_helper.from_array(i64(-1), "minus_one"),
              numpy_helper.from_array(i64(1), "axis1"),
              numpy_helper.from_array(
                  np.array(1.0 / np.sqrt(HEAD_DIM), np.float32), "scale")]
    nodes = [
        # [batch, sequence] of the input, as exporters compute it.
        helper.make_node("Shape", ["x"], ["x_shape"]),
        helper.make_node("Gather", ["x_shape", "zero"], ["b0"], axis=0),
        helper.make_node("Gather", ["x_shape", "one"], ["s0"], axis=0),
        helper.make_node("Unsqueeze", ["b0", "axes0"], ["b"]),
        helper.make_node("Unsqueeze", ["s0", "axes0"], ["s"]),
        helper.make_node("Concat", ["b", "s", "heads"], ["split_shape"],
                         axis=0),
        helper.make_node("Concat", ["b", "s", "minus_one"], ["merge_shape"],
                         axis=0),
        helper.make_node("Unsqueeze", ["mask", "axis1"], ["mask4"]),
    ]
    for name in ("q", "k", "v"):
        nodes += [
            helper.make_node("MatMul", ["x", "W" + name], [name + "_proj"]),
            helper.make_node("Reshape", [name + "_proj", "split_shape"],
                             [name + "_split"]),
            helper.make_node("Transpose", [name + "_split"], [name + "_heads"],
                             perm=[0, 2, 1, 3] if name != "k" else [0, 2, 3, 1]),
        ]
    nodes += [
        helper.make_node("MatMul", ["q_heads", "k_heads"], ["scores"]),
        helper.make_node("Mul", ["scores", "scale"], ["scaled"]),
        helper.make_node("Add", ["scaled", "mask4"], ["masked"]),
        helper.make_node("Softmax", ["masked"], ["probs"], axis=-1),
        helper.make_node("MatMul", ["probs", "v_heads"], ["context"]),
        helper.make_node("Transpose", ["context"], ["context_t"],
                         perm=[0, 2, 1, 3]),
        helper.make_node("Reshape", ["context_t", "merge_shape"], ["merged"]),
        helper.make_node("MatMul", ["merged", "Wo"], ["y"]),
        helper.make_node("ReduceMean", ["y", "axis1"], ["pooled"], keepdims=0),
    ]
    graph = helper.make_graph(
        nodes, "symbolic_attention",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                       ["batch", "sequence", HIDDEN]),
         helper.make_tensor_value_info("mask", TensorProto.FLOAT,
                                       ["batch", 1, "sequence"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                       ["batch", "sequence", HIDDEN]),
         helper.make_tensor_value_info("pooled", TensorProto.FLOAT,
                                       ["batch", HIDDEN])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def main(out, sizes):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    path = os.path.join(out, "attention.onnx")
    onnx.save(build(rng), path)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    for spec in sizes:
        batch, sequence = (int(v) for v in spec.split(":"))
        tag = "%dx%d" % (batch, sequence)
        x = rng.standard_normal((batch, sequence, HIDDEN)).astype(np.float32)
        # Mask out a random quarter of the keys (never all of them).
        mask = np.where(rng.random((batch, 1, sequence)) < 0.25, -1e4,
                        0.0).astype(np.float32)
        mask[..., 0] = 0.0
        y, pooled = session.run(["y", "pooled"], {"x": x, "mask": mask})
        for name, value in (("x", x), ("mask", mask), ("ref_y", y),
                            ("ref_pooled", pooled)):
            np.save(os.path.join(out, "%s_%s.npy" % (name, tag)), value)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
