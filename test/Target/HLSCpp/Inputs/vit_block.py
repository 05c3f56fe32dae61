"""Encoder layer 0 of tiny_vit (ViT: hidden 96, 3 heads, MLP 384, 197
tokens) as a model of its own, for dataflow-vit-block.test.

  vit_block.py MODEL_DIR OUT_DIR

writes OUT_DIR/block.onnx (onnx.utils.extract_model from the tensor `add`,
the embeddings entering layer 0, to `add_4`, the output of layer 0: layer
norm, attention, residual, layer norm, MLP, residual), and OUT_DIR/x.npy and
OUT_DIR/ref.npy: the embeddings of tiny_vit_input.npy (the full model run by
onnxruntime with `add` as an extra output) and onnxruntime's float output of
the block on them.
"""
import os
import sys

import numpy as np
import onnx
import onnx.utils
import onnxruntime as ort


def main():
    models, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    full = os.path.join(models, "tiny_vit.onnx")
    block = os.path.join(out, "block.onnx")
    onnx.utils.extract_model(full, block, ["add"], ["add_4"])

    # The full model with the block's input as an extra output.
    model = onnx.load(full)
    model.graph.output.append(onnx.helper.make_tensor_value_info(
        "add", onnx.TensorProto.FLOAT, None))
    pixels = np.load(os.path.join(models, "tiny_vit_input.npy"))
    pixels = pixels.astype(np.float32)
    sess = ort.InferenceSession(model.SerializeToString(),
                                providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    x = sess.run(["add"], {name: pixels})[0]
    ref = ort.InferenceSession(block, providers=["CPUExecutionProvider"]).run(
        None, {"add": x})[0]
    np.save(os.path.join(out, "x.npy"), x)
    np.save(os.path.join(out, "ref.npy"), ref)
    print("block input %s, max |x| %.3f; output max |ref| %.3f"
          % (x.shape, np.abs(x).max(), np.abs(ref).max()))


if __name__ == "__main__":
    main()
