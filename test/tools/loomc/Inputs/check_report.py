"""Checks a `loomc --report` JSON against numbers computed from the ONNX
model alone (with the onnx package, not with Loom):

- parameters: the report's total equals the element count of the float
  initializers (more than one element) that the model's compute nodes read,
  counted once per reading node, as loom-report counts a constant once per
  use site. Not counted: data-movement nodes (Concat, Reshape, ...), whose
  loom ops have no cost, and the additive attention mask (an initializer
  added to the scores right before Softmax), which loom-raise-attention folds
  into loom.attention's `causal` attribute.
- matmul FLOPs: the report's total `matmul_flops` equals 2*M*N*K summed over
  the MatMul and Gemm nodes (attention's two MatMuls become loom.attention's
  q k^T and p v), and every report layer named after a MatMul node has that
  node's 2*M*N*K.

Usage: python check_report.py MODEL.onnx REPORT.json
Prints one line per check and exits with status 1 on a mismatch.
"""
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference

DATA_MOVEMENT = {"Concat", "Reshape", "Transpose", "Expand", "Slice",
                 "Unsqueeze", "Squeeze", "Shape", "Identity", "Flatten"}


def expected_parameters(graph):
    initializers = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    total = 0
    for node in graph.node:
        if node.op_type in DATA_MOVEMENT:
            continue
        is_mask_add = node.op_type == "Add" and any(
            c.op_type == "Softmax" for c in consumers.get(node.output[0], []))
        for name in node.input:
            array = initializers.get(name)
            if array is None or array.dtype.kind != "f" or array.size <= 1:
                continue
            if is_mask_add:
                continue
            total += array.size
    return total


def matmul_flops(model):
    inferred = shape_inference.infer_shapes(model)
    graph = inferred.graph
    shapes = {}
    for info in list(graph.value_info) + list(graph.input) + list(graph.output):
        dims = info.type.tensor_type.shape.dim
        shapes[info.name] = [d.dim_value for d in dims]
    for init in graph.initializer:
        shapes[init.name] = list(init.dims)
    per_node = {}
    for node in graph.node:
        if node.op_type == "MatMul":
            a = shapes[node.input[0]]
            out = shapes[node.output[0]]
            per_node[node.name] = 2 * int(np.prod(out)) * a[-1]
        elif node.op_type == "Gemm":
            a = shapes[node.input[0]]
            out = shapes[node.output[0]]
            trans_a = any(att.name == "transA" and att.i for att in node.attribute)
            k = a[0] if trans_a else a[1]
            per_node[node.name] = 2 * int(np.prod(out)) * k
    return per_node


def main(model_path, report_path):
    model = onnx.load(model_path)
    with open(report_path) as f:
        report = json.load(f)
    ok = True

    params = expected_parameters(model.graph)
    got = report["total"]["parameters"]
    status = "ok" if got == params else "FAIL"
    ok &= got == params
    print(f"parameters: report {got}, onnx {params}: {status}")

    per_node = matmul_flops(model)
    flops = sum(per_node.values())
    got = report["total"]["matmul_flops"]
    status = "ok" if got == flops else "FAIL"
    ok &= got == flops
    print(f"matmul flops: report {got}, onnx {flops} over {len(per_node)} "
          f"MatMul/Gemm nodes: {status}")

    checked = 0
    for layer in report["layers"]:
        expected = per_node.get(layer["layer"])
        if expected is None or layer["op"] != "linalg.matmul":
            continue
        checked += 1
        if layer["matmul_flops"] != expected:
            ok = False
            print(f"{layer['layer']}: report {layer['matmul_flops']}, onnx "
                  f"{expected}: FAIL")
    print(f"per-layer matmul flops: {checked} layers: "
          f"{'ok' if ok else 'FAIL'}")

    if report["unknown"]:
        ok = False
        print(f"unknown costs: {report['unknown']}: FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
