"""Single-op ONNX models with seeded random inputs and onnxruntime references.

Usage: python op_models.py CASE OUTDIR
  writes OUTDIR/CASE.onnx, OUTDIR/CASE_in<i>.npy and OUTDIR/CASE_ref<j>.npy
  (one per graph output, computed by onnxruntime on the CPU).
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
I64 = TensorProto.INT64


def vi(name, t, shape):
    return helper.make_tensor_value_info(name, t, shape)


def const(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def cases(rng):
    r = lambda *s: rng.standard_normal(s).astype(np.float32)
    yield "slice_negative_step", dict(
        nodes=[helper.make_node("Slice", ["x", "s", "e", "a", "st"], ["y"])],
        inputs=[("x", r(4, 10, 6))],
        inits=[const("s", [8, -1]), const("e", [1, -100]), const("a", [1, 2]),
               const("st", [-3, -2])],
        outputs=[vi("y", F, None)])
    yield "topk_gathernd", dict(
        # TopK over the last axis (k=3, with ties), indices used by GatherND.
        nodes=[helper.make_node("TopK", ["x", "k"], ["v", "i"], axis=-1),
               helper.make_node("Unsqueeze", ["i", "ax"], ["iu"]),
               helper.make_node("GatherND", ["x", "iu"], ["g"], batch_dims=1)],
        inputs=[("x", np.round(r(6, 9) * 2) / 2)],
        inits=[const("k", [3]), const("ax", [-1])],
        outputs=[vi("v", F, None), vi("i", I64, None), vi("g", F, None)])
    yield "gather_elements", dict(
        # GatherElements along axis 1 with negative indices and a smaller index
        # tensor than the data (dims other than the axis may be smaller).
        nodes=[helper.make_node("GatherElements", ["x", "i"], ["y"], axis=1)],
        inputs=[("x", r(3, 5, 4))],
        inits=[const("i", rng.integers(-5, 5, size=(2, 7, 4)))],
        outputs=[vi("y", F, None)])
    yield "topk_smallest_axis0", dict(
        nodes=[helper.make_node("TopK", ["x", "k"], ["v", "i"], axis=0, largest=0)],
        inputs=[("x", r(7, 5))], inits=[const("k", [2])],
        outputs=[vi("v", F, None), vi("i", I64, None)])
    yield "layernorm_gelu", dict(
        nodes=[helper.make_node("LayerNormalization", ["x", "g", "b"], ["n"], axis=-1,
                                epsilon=1e-5),
               helper.make_node("Gelu", ["n"], ["y"]),
               helper.make_node("Gelu", ["n"], ["yt"], approximate="tanh")],
        inputs=[("x", r(3, 5, 16))], inits=[const("g", r(16)), const("b", r(16))],
        outputs=[vi("y", F, None), vi("yt", F, None)])
    yield "split_concat_where", dict(
        nodes=[helper.make_node("Split", ["x", "sp"], ["a", "b", "c"], axis=1),
               helper.make_node("Concat", ["c", "a"], ["ca"], axis=1),
               helper.make_node("Greater", ["ca", "z"], ["m"]),
               helper.make_node("Neg", ["ca"], ["n"]),
               helper.make_node("Where", ["m", "ca", "n"], ["y"])],
        inputs=[("x", r(2, 9, 3))], inits=[const("sp", [2, 3, 4]),
                                          const("z", np.float32(0.25))],
        outputs=[vi("y", F, None)])
    yield "gemm_trans_clip", dict(
        nodes=[helper.make_node("Gemm", ["a", "b", "c"], ["g"], transA=1, transB=1,
                                alpha=0.5, beta=2.0),
               helper.make_node("Clip", ["g", "lo", "hi"], ["y"])],
        inputs=[("a", r(7, 4))], inits=[const("b", r(5, 7)), const("c", r(5)),
                                       const("lo", np.float32(-0.5)),
                                       const("hi", np.float32(1.0))],
        outputs=[vi("y", F, None)])
    yield "matmul_broadcast_batch", dict(
        nodes=[helper.make_node("MatMul", ["a", "b"], ["y"]),
               helper.make_node("MatMul", ["v", "b"], ["z"])],
        inputs=[("a", r(2, 1, 3, 4)), ("b", r(5, 4, 6)), ("v", r(4))],
        inits=[], outputs=[vi("y", F, None), vi("z", F, None)])
    yield "reduce_expand_softmax", dict(
        nodes=[helper.make_node("ReduceMean", ["x", "ax"], ["m"], keepdims=1),
               helper.make_node("ReduceSum", ["x", "ax2"], ["s"], keepdims=0),
               helper.make_node("Expand", ["m", "shape"], ["e"]),
               helper.make_node("Softmax", ["e"], ["y"], axis=1),
               helper.make_node("Pow", ["s", "two"], ["p"]),
               helper.make_node("Sqrt", ["p"], ["q"]),
               helper.make_node("Reciprocal", ["q"], ["rq"])],
        inputs=[("x", r(3, 4, 5))],
        inits=[const("ax", [2]), const("ax2", [0, -1]), const("shape", [2, 3, 4, 5]),
               const("two", np.float32(2.0))],
        outputs=[vi("y", F, None), vi("rq", F, None)])
    yield "gather_transpose_reshape", dict(
        nodes=[helper.make_node("Gather", ["w", "ids"], ["g"], axis=0),
               helper.make_node("Transpose", ["g"], ["t"], perm=[2, 0, 1]),
               helper.make_node("Reshape", ["t", "shape"], ["rs"]),
               helper.make_node("Squeeze", ["rs", "sq"], ["y"]),
               helper.make_node("Sigmoid", ["y"], ["sy"]),
               helper.make_node("Tanh", ["y"], ["ty"]),
               helper.make_node("IsNaN", ["y"], ["ny"])],
        inputs=[("ids", np.array([[3, -1, 0], [2, 2, 5]], np.int64))],
        inits=[const("w", r(6, 4)), const("shape", [1, 4, -1]), const("sq", [0])],
        outputs=[vi("sy", F, None), vi("ty", F, None),
                 vi("ny", TensorProto.BOOL, None)])
    yield "conv_grouped_strided", dict(
        nodes=[helper.make_node("Conv", ["x", "w", "b"], ["y"], group=2,
                                strides=[2, 1], pads=[1, 0, 1, 2], dilations=[1, 2])],
        inputs=[("x", r(1, 4, 9, 8))], inits=[const("w", r(6, 2, 3, 3)),
                                              const("b", r(6))],
        outputs=[vi("y", F, None)])
    yield "convtranspose_grouped", dict(
        nodes=[helper.make_node("ConvTranspose", ["x", "w", "b"], ["y"], group=2,
                                strides=[2, 3], pads=[1, 0, 0, 1], dilations=[2, 1],
                                output_padding=[1, 0])],
        inputs=[("x", r(1, 4, 5, 4))], inits=[const("w", r(4, 3, 3, 2)),
                                              const("b", r(6))],
        outputs=[vi("y", F, None)])
    # Opset-23 transformer ops.
    yield "rmsnorm", dict(
        opset=23,
        nodes=[helper.make_node("RMSNormalization", ["x", "g"], ["y"], axis=-1,
                                epsilon=1e-6)],
        inputs=[("x", r(2, 5, 16))], inits=[const("g", r(16))],
        outputs=[vi("y", F, None)])
    # Over the last two axes with a [5, 16] scale: not loom.rms_norm's form.
    yield "rmsnorm_axis1", dict(
        opset=23,
        nodes=[helper.make_node("RMSNormalization", ["x", "g"], ["y"], axis=1,
                                epsilon=1e-5)],
        inputs=[("x", r(2, 5, 16))], inits=[const("g", r(5, 16))],
        outputs=[vi("y", F, None)])
    yield "rotary_4d_positions", dict(
        opset=23,
        nodes=[helper.make_node("RotaryEmbedding", ["x", "c", "s", "p"], ["y"])],
        inputs=[("x", r(2, 3, 5, 8)),
                ("p", np.array([[0, 1, 2, 3, 4], [7, 6, 5, 4, 3]], np.int64))],
        inits=[const("c", np.cos(r(10, 4))), const("s", np.sin(r(10, 4)))],
        outputs=[vi("y", F, None)])
    yield "rotary_3d_interleaved_partial", dict(
        opset=23,
        nodes=[helper.make_node("RotaryEmbedding", ["x", "c", "s"], ["y"],
                                interleaved=1, num_heads=2, rotary_embedding_dim=4)],
        inputs=[("x", r(2, 5, 12))],
        inits=[const("c", np.cos(r(2, 5, 2))), const("s", np.sin(r(2, 5, 2)))],
        outputs=[vi("y", F, None)])
    yield "attention_gqa_causal", dict(
        opset=23,
        nodes=[helper.make_node("Attention", ["q", "k", "v"], ["y"], is_causal=1)],
        inputs=[("q", r(2, 4, 6, 8)), ("k", r(2, 2, 6, 8)), ("v", r(2, 2, 6, 8))],
        inits=[], outputs=[vi("y", F, None)])
    yield "attention_3d_mask_softcap", dict(
        opset=23,
        nodes=[helper.make_node("Attention", ["q", "k", "v", "m"], ["y"],
                                q_num_heads=2, kv_num_heads=2, scale=0.3, softcap=2.0)],
        inputs=[("q", r(1, 5, 8)), ("k", r(1, 7, 8)), ("v", r(1, 7, 6)),
                ("m", rng.random((5, 7)) > 0.3)],
        inits=[], outputs=[vi("y", F, None)])
    # Shape computations that exporters emit, folded to static shapes.
    yield "shape_folding", dict(
        nodes=[helper.make_node("Shape", ["x"], ["s"]),
               helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
               helper.make_node("Unsqueeze", ["n", "zero1"], ["n1"]),
               helper.make_node("Concat", ["n1", "minus1"], ["target"], axis=0),
               helper.make_node("Reshape", ["x", "target"], ["r"]),
               helper.make_node("Shape", ["r"], ["rs"]),
               helper.make_node("ConstantOfShape", ["rs"], ["ones"],
                                value=numpy_helper.from_array(np.array([1.5], np.float32))),
               helper.make_node("Mul", ["n", "two"], ["n2"]),
               helper.make_node("Cast", ["n2"], ["n2f"], to=TensorProto.FLOAT),
               helper.make_node("Add", ["r", "ones"], ["a"]),
               helper.make_node("Mul", ["a", "n2f"], ["y"])],
        inputs=[("x", r(2, 3, 4))],
        inits=[const("zero", np.array(0, np.int64)), const("zero1", [0]),
               const("minus1", [-1]), const("two", np.array(2, np.int64))],
        outputs=[vi("y", F, None)])
    # CumSum: default, exclusive, reverse, both, a negative axis, an int32
    # axis input and an int64 tensor.
    yield "cumsum", dict(
        nodes=[helper.make_node("CumSum", ["x", "a1"], ["y0"]),
               helper.make_node("CumSum", ["x", "am1"], ["y1"], exclusive=1),
               helper.make_node("CumSum", ["x", "a0"], ["y2"], reverse=1),
               helper.make_node("CumSum", ["x", "a1"], ["y3"], exclusive=1,
                                reverse=1),
               helper.make_node("CumSum", ["xi", "am1"], ["y4"], reverse=1)],
        inputs=[("x", r(3, 5, 4)),
                ("xi", rng.integers(-100, 100, size=(4, 6)).astype(np.int64))],
        inits=[const("a1", np.array(1, np.int64)),
               const("am1", np.array(-1, np.int32)),
               const("a0", np.array([0], np.int64))],
        outputs=[vi("y%d" % i, F, None) for i in range(4)] + [vi("y4", I64, None)])
    # ScatterElements: none (unique indices) on axis 1 with negative indices and
    # an index tensor smaller than the data; add/mul/max/min with duplicate
    # indices on axis -2 (= 0).
    yield "scatter_elements", dict(
        nodes=[helper.make_node("ScatterElements", ["x", "iu", "u"], ["y0"],
                                axis=1)] +
              [helper.make_node("ScatterElements", ["x", "id", "ud"], ["y%d" % (i + 1)],
                                axis=-2, reduction=red)
               for i, red in enumerate(["add", "mul", "max", "min"])],
        inputs=[("x", r(4, 5)), ("u", r(3, 2)), ("ud", r(6, 5))],
        inits=[const("iu", np.array([[0, -1], [4, 2], [-5, 3]], np.int64)),
               const("id", rng.integers(-4, 4, size=(6, 5)).astype(np.int32))],
        outputs=[vi("y%d" % i, F, None) for i in range(5)])
    # ScatterND: whole rows (k=1, negative index), single elements (k=3),
    # add/mul/max/min with duplicate index tuples (k=2).
    yield "scatter_nd", dict(
        nodes=[helper.make_node("ScatterND", ["x", "i1", "u1"], ["y0"]),
               helper.make_node("ScatterND", ["x", "i3", "u3"], ["y1"]),
               helper.make_node("ScatterND", ["x", "i2", "u2"], ["y2"],
                                reduction="add"),
               helper.make_node("ScatterND", ["x", "i2", "u2"], ["y3"],
                                reduction="mul"),
               helper.make_node("ScatterND", ["x", "i2", "u2"], ["y4"],
                                reduction="max"),
               helper.make_node("ScatterND", ["x", "i2", "u2"], ["y5"],
                                reduction="min")],
        inputs=[("x", r(4, 5, 3)), ("u1", r(2, 5, 3)), ("u3", r(3)),
                ("u2", r(2, 3, 3))],
        inits=[const("i1", np.array([[-1], [1]], np.int64)),
               const("i3", np.array([[0, 4, 2], [3, -1, 0], [1, 1, 1]], np.int64)),
               const("i2", np.array([[[0, 1], [2, -3], [0, 1]],
                                     [[3, 4], [0, 1], [2, 2]]], np.int64))],
        outputs=[vi("y%d" % i, F, None) for i in range(6)])
    # Einsum as exporters write it: matmul, batch matmul, attention scores,
    # transpose, row sum, total sum, implicit output, ellipsis batch matmul
    # with a broadcast batch dim, an outer product, a three-operand chain, a
    # batch matmul with transposed operands and output, and a contraction that
    # also sums over one operand's own label.
    einsums = ["ij,jk->ik", "bij,bjk->bik", "bhqd,bhkd->bhqk", "ij->ji",
               "ij->i", "ij->", "ij,jk", "...ij,...jk->...ik", "i,j->ij",
               "ij,jk,kl->il", "bjk,bij->bki", "ij,jk->k"]
    yield "einsum", dict(
        nodes=[helper.make_node("Einsum", ins, ["y%d" % i], equation=e)
               for i, (e, ins) in enumerate(zip(einsums, [
                   ["a", "w"], ["ba", "bb"], ["q", "k"], ["a"], ["a"], ["a"],
                   ["a", "w"], ["ea", "eb"], ["v", "v2"], ["a", "w", "w2"],
                   ["bb", "ba"], ["a", "w"]]))],
        inputs=[("a", r(3, 4)), ("w", r(4, 5)), ("ba", r(2, 3, 4)),
                ("bb", r(2, 4, 6)), ("q", r(2, 3, 5, 8)), ("k", r(2, 3, 7, 8)),
                ("ea", r(2, 1, 3, 4)), ("eb", r(1, 3, 4, 2)), ("v", r(3)),
                ("v2", r(4)), ("w2", r(5, 2))],
        inits=[], outputs=[vi("y%d" % i, F, None) for i in range(len(einsums))])
    # Range whose scalars are float arithmetic on constants (linalg.generics
    # the importer does not fold itself): constant folding gives a static size.
    yield "range_computed", dict(
        nodes=[helper.make_node("Add", ["s0", "s1"], ["start"]),
               helper.make_node("Mul", ["l0", "two"], ["limit"]),
               helper.make_node("Sqrt", ["dsq"], ["delta"]),
               helper.make_node("Range", ["start", "limit", "delta"], ["rg"]),
               helper.make_node("Add", ["x", "rg"], ["y"])],
        inputs=[("x", r(3, 5))],
        inits=[const("s0", np.float32(0.5)), const("s1", np.float32(1.0)),
               const("l0", np.float32(4.5)), const("two", np.float32(2.0)),
               const("dsq", np.float32(2.25))],
        outputs=[vi("y", F, None)])
    # onnxruntime contrib ops (com.microsoft).
    yield "ms_multihead_attention", dict(
        domains=[("com.microsoft", 1)],
        nodes=[helper.make_node("MultiHeadAttention", ["q", "k", "v"], ["y"],
                                domain="com.microsoft", num_heads=2)],
        inputs=[("q", r(2, 5, 8)), ("k", r(2, 7, 8)), ("v", r(2, 7, 6))],
        inits=[], outputs=[vi("y", F, None)])
    yield "ms_group_query_attention", dict(
        domains=[("com.microsoft", 1)],
        nodes=[helper.make_node("GroupQueryAttention",
                                ["q", "k", "v", "", "", "seqlens", "total"], ["y"],
                                domain="com.microsoft", num_heads=4, kv_num_heads=2)],
        inputs=[("q", r(2, 6, 32)), ("k", r(2, 6, 16)), ("v", r(2, 6, 16))],
        inits=[const("seqlens", np.array([5, 5], np.int32)),
               const("total", np.array(6, np.int32))],
        outputs=[vi("y", F, None)])


def main():
    case, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(1234)
    spec = dict(cases(rng))[case]
    g = helper.make_graph(spec["nodes"], case,
                          [vi(n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
                           for n, a in spec["inputs"]],
                          spec["outputs"], initializer=spec["inits"])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", spec.get("opset", 20))] +
                          [helper.make_opsetid(d, v) for d, v in spec.get("domains", [])])
    m.ir_version = 9
    path = os.path.join(out, case + ".onnx")
    onnx.save(m, path)
    feeds = {n: a for n, a in spec["inputs"]}
    for i, (_, a) in enumerate(spec["inputs"]):
        np.save(os.path.join(out, "%s_in%d.npy" % (case, i)), a)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    for j, ref in enumerate(sess.run(None, feeds)):
        np.save(os.path.join(out, "%s_ref%d.npy" % (case, j)), ref)


if __name__ == "__main__":
    main()
