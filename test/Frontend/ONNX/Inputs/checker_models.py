"""Models for checker.test: invalid ones the ONNX checker must reject, and
valid ones on which Debian's libonnx 1.12 checker is stricter than exporters
(the importer relaxes those rules, docs/ONNX.md).

Usage: python checker_models.py CASE OUTDIR   -> writes OUTDIR/CASE.onnx
"""
import os
import sys

from onnx import TensorProto, helper


def vi(name, shape=(2, 3), elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def model(nodes, inputs=None, outputs=None, inits=(), opset=17, ir=8,
          extra_opsets=()):
    """y = nodes(x) on f32[2, 3]; opset 17 / IR 8 are what libonnx 1.12 knows."""
    g = helper.make_graph(nodes, "g", inputs or [vi("x")],
                          outputs or [vi("y")], initializer=list(inits))
    m = helper.make_model(
        g, opset_imports=[helper.make_opsetid("", opset)] +
        [helper.make_opsetid(d, v) for d, v in extra_opsets])
    m.ir_version = ir
    return m


def relu(name="r", x="x", y="y", domain=""):
    return helper.make_node("Relu", [x], [y], name=name, domain=domain)


def cases():
    # --- invalid models ---------------------------------------------------
    yield "defined_twice", model(
        [relu("r1", y="t"), relu("r2", y="t"),
         helper.make_node("Identity", ["t"], ["y"], name="id")])
    yield "wrong_input_count", model(
        [helper.make_node("Add", ["x"], ["y"], name="add1")])
    softmax = helper.make_node("Softmax", ["x"], ["y"], name="sm")
    softmax.attribute.append(helper.make_attribute("axis", 1.5))
    yield "attribute_type", model([softmax])
    # An attribute whose declared type is not the field it fills; checked on
    # nodes of every opset, also those newer than the checker's schemas.
    gelu = helper.make_node("Gelu", ["x"], ["y"], name="gelu")
    approximate = helper.make_attribute("approximate", "tanh")
    approximate.type = helper.AttributeProto.INT
    gelu.attribute.append(approximate)
    yield "attribute_field_mismatch_opset20", model([gelu], opset=20, ir=9)
    yield "negative_opset", model([relu()], opset=-3)
    yield "ir_version_with_opset_import", model([relu()], ir=2)
    yield "ir3_initializer_not_input", model(
        [helper.make_node("Add", ["x", "w"], ["y"], name="add1")],
        inits=[helper.make_tensor("w", TensorProto.FLOAT, [2, 3], [0.5] * 6)],
        ir=3)
    yield "shape_inference", model(
        [helper.make_node("Add", ["x", "x"], ["y"], name="add1")],
        outputs=[vi("y", (5, 3))])
    yield "domain_not_imported", model(
        [helper.make_node("FusedGelu", ["x"], ["y"], name="fg",
                          domain="com.microsoft")])

    # --- valid models on which the checker is stricter ----------------------
    # IR 11 > the checker's IR 8.
    yield "ir_version_newer", model([relu()], ir=11)
    # Opset 20 > the checker's 17: Gelu-20 and ReduceMean-18's axes input are
    # unknown to its schemas.
    yield "opset_newer", model(
        [helper.make_node("Gelu", ["x"], ["g"], name="gelu"),
         helper.make_node("ReduceMean", ["g", "axes"], ["y"], name="mean",
                          keepdims=1)],
        outputs=[vi("y", (2, 1))],
        inits=[helper.make_tensor("axes", TensorProto.INT64, [1], [1])],
        opset=20, ir=9)
    # Graph inputs and outputs without a shape.
    yield "output_without_shape", model([relu()], outputs=[vi("y", None)])
    yield "input_without_shape", model([relu()], inputs=[vi("x", None)])
    # An onnxruntime contrib op: no schema in libonnx, shape inference runs.
    q = vi("q", (1, 4, 8))
    mha = helper.make_node("MultiHeadAttention", ["q", "q", "q"], ["y"],
                           name="mha", domain="com.microsoft", num_heads=2)
    yield "microsoft_attention", model(
        [mha], inputs=[q], outputs=[vi("y", (1, 4, 8))],
        extra_opsets=[("com.microsoft", 1)])


def main():
    case, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    if case == "truncated":
        # A valid model cut short: the protobuf parser rejects it.
        data = model([relu()]).SerializeToString()
        with open(os.path.join(out, case + ".onnx"), "wb") as f:
            f.write(data[:len(data) - 7])
        return
    for name, m in cases():
        if name == case:
            with open(os.path.join(out, case + ".onnx"), "wb") as f:
                f.write(m.SerializeToString())
            return
    sys.exit("unknown case " + case)


if __name__ == "__main__":
    main()
