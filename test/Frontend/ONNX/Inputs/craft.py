"""Crafts small (often malformed) ONNX files for the importer's lit tests.

Usage: python craft.py CASE OUTDIR   -> writes OUTDIR/CASE.onnx (+ side files)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def graph_model(nodes, inputs, outputs, inits=(), opset=20):
    g = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 9
    return m


def add_model(init):
    """y = x + w for x: f32[2, 3] and the initializer `w`."""
    return graph_model(
        [helper.make_node("Add", ["x", "w"], ["y"], name="add")],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
        [init])


def external_init(location, offset=None, length=None):
    t = TensorProto()
    t.name = "w"
    t.data_type = TensorProto.FLOAT
    t.dims.extend([2, 3])
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", location), ("offset", offset), ("length", length)):
        if v is not None:
            e = t.external_data.add()
            e.key = k
            e.value = str(v)
    return t


def save(m, path):
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


F32 = np.zeros((3, 4), np.float32)
I64 = np.int64

# Malformed or unsupported single nodes: CASE -> (node, graph inputs, initializers),
# each a list of (name, example array).
SINGLE_NODE = {
    "cumsum_axis_input": (
        helper.make_node("CumSum", ["x", "a"], ["y"], name="cs"),
        [("x", F32), ("a", np.array(0, I64))], []),
    "cumsum_axis_range": (
        helper.make_node("CumSum", ["x", "a"], ["y"], name="cs"),
        [("x", F32)], [("a", np.array(2, I64))]),
    "cumsum_exclusive": (
        helper.make_node("CumSum", ["x", "a"], ["y"], name="cs", exclusive=2),
        [("x", F32)], [("a", np.array(0, I64))]),
    "scatter_elements_reduction": (
        helper.make_node("ScatterElements", ["x", "i", "u"], ["y"], name="se",
                         reduction="sub"),
        [("x", F32), ("u", np.zeros((2, 4), np.float32))],
        [("i", np.zeros((2, 4), I64))]),
    "scatter_elements_shape": (
        helper.make_node("ScatterElements", ["x", "i", "u"], ["y"], name="se"),
        [("x", F32), ("u", np.zeros((2, 3), np.float32))],
        [("i", np.zeros((2, 4), I64))]),
    "scatter_nd_reduction": (
        helper.make_node("ScatterND", ["x", "i", "u"], ["y"], name="snd",
                         reduction="avg"),
        [("x", F32), ("u", np.zeros((2, 4), np.float32))],
        [("i", np.zeros((2, 1), I64))]),
    "scatter_nd_depth": (
        helper.make_node("ScatterND", ["x", "i", "u"], ["y"], name="snd"),
        [("x", F32), ("u", np.zeros((2,), np.float32))],
        [("i", np.zeros((2, 3), I64))]),
    "scatter_nd_updates": (
        helper.make_node("ScatterND", ["x", "i", "u"], ["y"], name="snd"),
        [("x", F32), ("u", np.zeros((2, 3), np.float32))],
        [("i", np.zeros((2, 1), I64))]),
    "einsum_diagonal": (
        helper.make_node("Einsum", ["x"], ["y"], name="es", equation="ii->i"),
        [("x", np.zeros((3, 3), np.float32))], []),
    "einsum_terms": (
        helper.make_node("Einsum", ["x"], ["y"], name="es", equation="ij,jk->ik"),
        [("x", F32)], []),
    "einsum_output_label": (
        helper.make_node("Einsum", ["x"], ["y"], name="es", equation="ij->k"),
        [("x", F32)], []),
    "einsum_sizes": (
        helper.make_node("Einsum", ["x", "w"], ["y"], name="es",
                         equation="ij,jk->ik"),
        [("x", F32), ("w", np.zeros((3, 2), np.float32))], []),
    "einsum_rank": (
        helper.make_node("Einsum", ["x"], ["y"], name="es", equation="ijk->i"),
        [("x", F32)], []),
    "range_computed": (
        helper.make_node("Range", ["s", "l", "d"], ["y"], name="rg"),
        [("l", np.array(5.0, np.float32))],
        [("s", np.array(0.0, np.float32)), ("d", np.array(1.0, np.float32))]),
    "cumsum_axis_vector": (
        helper.make_node("CumSum", ["x", "a"], ["y"], name="cs"),
        [("x", F32)], [("a", np.array([0, 1], I64))]),
    "cumsum_scalar": (
        helper.make_node("CumSum", ["x", "a"], ["y"], name="cs"),
        [("x", np.array(1.0, np.float32))], [("a", np.array(0, I64))]),
    "cumsum_bool": (
        helper.make_node("CumSum", ["x", "a"], ["y"], name="cs"),
        [("x", np.zeros((3, 4), np.bool_))], [("a", np.array(0, I64))]),
    "scatter_elements_rank": (
        helper.make_node("ScatterElements", ["x", "i", "u"], ["y"], name="se"),
        [("x", F32), ("u", np.zeros((4,), np.float32))],
        [("i", np.zeros((4,), I64))]),
    "scatter_elements_axis": (
        helper.make_node("ScatterElements", ["x", "i", "u"], ["y"], name="se",
                         axis=2),
        [("x", F32), ("u", np.zeros((2, 4), np.float32))],
        [("i", np.zeros((2, 4), I64))]),
    "scatter_elements_index_type": (
        helper.make_node("ScatterElements", ["x", "i", "u"], ["y"], name="se"),
        [("x", F32), ("u", np.zeros((2, 4), np.float32))],
        [("i", np.zeros((2, 4), np.int16))]),
    "scatter_elements_dim": (
        helper.make_node("ScatterElements", ["x", "i", "u"], ["y"], name="se"),
        [("x", F32), ("u", np.zeros((2, 5), np.float32))],
        [("i", np.zeros((2, 5), I64))]),
    "scatter_elements_type": (
        helper.make_node("ScatterElements", ["x", "i", "u"], ["y"], name="se"),
        [("x", F32), ("u", np.zeros((2, 4), np.float64))],
        [("i", np.zeros((2, 4), I64))]),
    "scatter_elements_bool_add": (
        helper.make_node("ScatterElements", ["x", "i", "u"], ["y"], name="se",
                         reduction="add"),
        [("x", np.zeros((3, 4), np.bool_)), ("u", np.zeros((2, 4), np.bool_))],
        [("i", np.zeros((2, 4), I64))]),
    "scatter_nd_rank": (
        helper.make_node("ScatterND", ["x", "i", "u"], ["y"], name="snd"),
        [("x", F32), ("u", np.zeros((3, 4), np.float32))],
        [("i", np.array(0, I64))]),
    "scatter_nd_index_type": (
        helper.make_node("ScatterND", ["x", "i", "u"], ["y"], name="snd"),
        [("x", F32), ("u", np.zeros((2, 4), np.float32))],
        [("i", np.zeros((2, 1), np.int8))]),
    "scatter_nd_type": (
        helper.make_node("ScatterND", ["x", "i", "u"], ["y"], name="snd"),
        [("x", F32), ("u", np.zeros((2, 4), np.int32))],
        [("i", np.zeros((2, 1), I64))]),
    "scatter_nd_bool_mul": (
        helper.make_node("ScatterND", ["x", "i", "u"], ["y"], name="snd",
                         reduction="mul"),
        [("x", np.zeros((3, 4), np.bool_)), ("u", np.zeros((2, 4), np.bool_))],
        [("i", np.zeros((2, 1), I64))]),
    "einsum_ellipsis": (
        helper.make_node("Einsum", ["x"], ["y"], name="es", equation="i..j->ij"),
        [("x", F32)], []),
    "einsum_label": (
        helper.make_node("Einsum", ["x"], ["y"], name="es", equation="i1->i"),
        [("x", F32)], []),
    "einsum_output_repeat": (
        helper.make_node("Einsum", ["x"], ["y"], name="es", equation="ij->ii"),
        [("x", F32)], []),
    "einsum_ellipsis_rank": (
        helper.make_node("Einsum", ["x"], ["y"], name="es", equation="...ijk->i"),
        [("x", F32)], []),
    "einsum_bool": (
        helper.make_node("Einsum", ["x"], ["y"], name="es", equation="ij->i"),
        [("x", np.zeros((3, 4), np.bool_))], []),
    "einsum_types": (
        helper.make_node("Einsum", ["x", "w"], ["y"], name="es",
                         equation="ij,jk->ik"),
        [("x", F32), ("w", np.zeros((4, 2), np.float64))], []),
    "range_vector": (
        helper.make_node("Range", ["s", "l", "d"], ["y"], name="rg"),
        [], [("s", np.array([0.0, 1.0], np.float32)), ("l", np.array(5.0, np.float32)),
             ("d", np.array(1.0, np.float32))]),
}


def main():
    case, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, case + ".onnx")
    w = numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3), "w")
    weights = np.arange(6, dtype=np.float32).reshape(2, 3)
    if case == "valid":
        save(add_model(w), path)
        np.save(os.path.join(out, "x.npy"), np.ones((2, 3), np.float32))
        np.save(os.path.join(out, "ref.npy"), weights + 1)
    elif case == "resource":
        # A 4x8 initializer (above the 16-element inline limit) and a bool one.
        big = np.arange(32, dtype=np.float32).reshape(4, 8) / 4
        m = graph_model(
            [helper.make_node("MatMul", ["x", "w"], ["m"], name="mm"),
             helper.make_node("Where", ["mask", "m", "zero"], ["y"], name="sel")],
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 8])],
            [numpy_helper.from_array(big, "w"),
             numpy_helper.from_array(np.array([True, False] * 4), "mask"),
             numpy_helper.from_array(np.float32(0), "zero")])
        save(m, path)
        x = np.arange(8, dtype=np.float32).reshape(2, 4) - 3
        np.save(os.path.join(out, "x.npy"), x)
        np.save(os.path.join(out, "ref.npy"),
                np.where(np.array([True, False] * 4), x @ big, 0).astype(np.float32))
    elif case == "truncated":
        data = add_model(w).SerializeToString()
        with open(path, "wb") as f:
            f.write(data[: len(data) // 2])
    elif case == "not_onnx":
        with open(path, "wb") as f:
            f.write(b"this is a text file, not an ONNX protobuf\n")
    elif case == "empty_file":
        open(path, "wb").close()
    elif case == "negative_dim_input":
        m = add_model(w)
        m.graph.input[0].type.tensor_type.shape.dim[0].dim_value = -2
        save(m, path)
    elif case == "symbolic_dim_input":
        m = add_model(w)
        m.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "batch"
        save(m, path)
    elif case == "negative_dim_init":
        t = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[-1, 3])
        save(add_model(t), path)
    elif case == "overflow_dim_init":
        t = TensorProto(name="w", data_type=TensorProto.FLOAT,
                        dims=[1 << 40, 1 << 40])
        save(add_model(t), path)
    elif case == "overflow_dim_input":
        m = add_model(w)
        dims = m.graph.input[0].type.tensor_type.shape.dim
        dims[0].dim_value = 1 << 40
        dims[1].dim_value = 1 << 40
        save(m, path)
    elif case == "size_mismatch_typed":
        t = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2, 3])
        t.float_data.extend([1.0] * 5)
        save(add_model(t), path)
    elif case == "size_mismatch_raw":
        t = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2, 3])
        t.raw_data = b"\0" * 20
        save(add_model(t), path)
    elif case == "raw_not_multiple":
        t = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2, 3])
        t.raw_data = b"\0" * 7
        save(add_model(t), path)
    elif case.startswith("ext_"):
        d = os.path.join(out, case)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "model.onnx")
        with open(os.path.join(d, "weights.bin"), "wb") as f:
            f.write(b"\0" * 8 + weights.tobytes())
        outside = os.path.join(out, case + "_outside.bin")
        with open(outside, "wb") as f:
            f.write(weights.tobytes())
        if case == "ext_ok":
            init = external_init("weights.bin", offset=8, length=24)
            np.save(os.path.join(d, "x.npy"), np.ones((2, 3), np.float32))
            np.save(os.path.join(d, "ref.npy"), weights + 1)
        elif case == "ext_absolute":
            init = external_init(os.path.abspath(outside))
        elif case == "ext_dotdot":
            init = external_init("../" + case + "_outside.bin")
        elif case == "ext_symlink":
            link = os.path.join(d, "link.bin")
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(os.path.abspath(outside), link)
            init = external_init("link.bin")
        elif case == "ext_offset_past_end":
            init = external_init("weights.bin", offset=1000)
        elif case == "ext_length_past_end":
            init = external_init("weights.bin", offset=8, length=64)
        elif case == "ext_size_mismatch":
            init = external_init("weights.bin", offset=0, length=16)
        elif case == "ext_missing":
            init = external_init("missing.bin")
        else:
            raise SystemExit("unknown case " + case)
        save(add_model(init), path)
    elif case == "unsupported_op":
        m = graph_model(
            [helper.make_node("Relu", ["x"], ["r"], name="ok_relu"),
             helper.make_node("NonMaxSuppression", ["r"], ["y"], name="nms_node")],
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])
        save(m, path)
    elif case == "custom_domain":
        m = graph_model(
            [helper.make_node("FusedGelu", ["x"], ["y"], name="fg",
                              domain="com.example")],
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])
        m.opset_import.append(helper.make_opsetid("com.example", 1))
        save(m, path)
    elif case == "dynamic_reshape":
        # Reshape whose shape is computed from a graph input: not static.
        m = graph_model(
            [helper.make_node("Reshape", ["x", "s"], ["y"], name="dyn_reshape")],
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3]),
             helper.make_tensor_value_info("s", TensorProto.INT64, [2])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 2])])
        save(m, path)
    elif case == "bad_broadcast":
        m = graph_model(
            [helper.make_node("Add", ["x", "z"], ["y"], name="bad_add")],
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3]),
             helper.make_tensor_value_info("z", TensorProto.FLOAT, [4])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])
        save(m, path)
    elif case == "undefined_input":
        m = graph_model(
            [helper.make_node("Relu", ["nowhere"], ["y"], name="dangling")],
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])
        save(m, path)
    elif case == "gqa_padded":
        # GroupQueryAttention whose seqlens_k describes a padded batch row.
        m = graph_model(
            [helper.make_node("GroupQueryAttention",
                              ["q", "k", "v", "", "", "seqlens", "total"], ["y"],
                              name="gqa", domain="com.microsoft", num_heads=2,
                              kv_num_heads=1)],
            [helper.make_tensor_value_info("q", TensorProto.FLOAT, [2, 4, 16]),
             helper.make_tensor_value_info("k", TensorProto.FLOAT, [2, 4, 8]),
             helper.make_tensor_value_info("v", TensorProto.FLOAT, [2, 4, 8])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4, 16])],
            [numpy_helper.from_array(np.array([3, 1], np.int32), "seqlens"),
             numpy_helper.from_array(np.array(4, np.int32), "total")])
        m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
        save(m, path)
    elif case == "attention_past":
        m = graph_model(
            [helper.make_node("Attention", ["q", "k", "v", "", "pk", "pv"], ["y"],
                              name="attn")],
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, 2, 3, 4])
             for n in ("q", "k", "v", "pk", "pv")],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 3, 4])],
            opset=23)
        save(m, path)
    elif case == "gather_elements_rank":
        m = graph_model(
            [helper.make_node("GatherElements", ["x", "i"], ["y"], name="ge")],
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 4])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
            [numpy_helper.from_array(np.zeros((3,), np.int64), "i")])
        save(m, path)
    elif case == "gather_elements_shape":
        m = graph_model(
            [helper.make_node("GatherElements", ["x", "i"], ["y"], name="ge",
                              axis=0)],
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 4])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
            [numpy_helper.from_array(np.zeros((2, 5), np.int64), "i")])
        save(m, path)
    elif case in ("topk_k0", "topk_k_too_big", "topk_bool"):
        k = {"topk_k0": 0, "topk_k_too_big": 5, "topk_bool": 1}[case]
        elem = TensorProto.BOOL if case == "topk_bool" else TensorProto.FLOAT
        m = graph_model(
            [helper.make_node("TopK", ["x", "k"], ["v", "i"], name="top")],
            [helper.make_tensor_value_info("x", elem, [3, 4])],
            [helper.make_tensor_value_info("v", elem, None),
             helper.make_tensor_value_info("i", TensorProto.INT64, None)],
            [numpy_helper.from_array(np.array([k], np.int64), "k")])
        save(m, path)
    elif case in SINGLE_NODE:
        node, inputs, inits = SINGLE_NODE[case]
        m = graph_model(
            [node],
            [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype),
                                           a.shape) for n, a in inputs],
            [helper.make_tensor_value_info(o, TensorProto.FLOAT, None)
             for o in node.output],
            [numpy_helper.from_array(a, n) for n, a in inits])
        save(m, path)
    elif case == "string_init":
        t = helper.make_tensor("w", TensorProto.STRING, [1], [b"a"])
        save(add_model(t), path)
    else:
        raise SystemExit("unknown case " + case)


if __name__ == "__main__":
    main()
