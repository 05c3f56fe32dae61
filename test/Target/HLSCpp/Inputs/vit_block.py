"""Encoder layer 0 of tiny_vit (ViT: hidden 96, 3 heads, MLP 384, 197
tokens) as a model of its own, for dataflow-vit-block.test.

  vit_block.py MODEL_DIR OUT_DIR
  vit_block.py --compare CSIM.npy REF.npy --bound B
  vit_block.py --equal CSIM.npy CPU.npy

The first form writes OUT_DIR/block.onnx (onnx.utils.extract_model from the tensor `add`,
the embeddings entering layer 0, to `add_4`, the output of layer 0: layer
norm, attention, residual, layer norm, MLP, residual), and OUT_DIR/x.npy and
OUT_DIR/ref.npy: the embeddings of tiny_vit_input.npy (the full model run by
onnxruntime with `add` as an extra output) and onnxruntime's float output of
the block on them. The second prints the C simulation's max abs error
against the reference and its relative error (max|err| / max|ref|), and
fails when the max abs error is above B. The third requires the C
simulation to equal Loom's CPU path with the same fixed point bit for bit.
"""
import os
import sys

import numpy as np
import onnx
import onnx.utils
import onnxruntime as ort


def compare(csim, ref, bound):
    c = np.load(csim).astype(np.float64)
    r = np.load(ref).astype(np.float64)
    if c.shape != r.shape:
        sys.exit("FAIL: shape %s, expected %s" % (c.shape, r.shape))
    err = np.abs(c - r)
    print("%d elements: max |csim - onnxruntime| = %.3g, mean %.3g, "
          "relative (max err / max |ref|) = %.3g (bound %g)"
          % (c.size, err.max(), err.mean(), err.max() / np.abs(r).max(),
             bound))
    if not np.isfinite(err).all() or err.max() > bound:
        sys.exit("FAIL: error above the bound")
    print("PASS")


def equal(csim, cpu):
    c = np.load(csim)
    r = np.load(cpu).reshape(c.shape)
    differ = int(np.sum(c != r))
    print("%d elements, %d differ from the CPU path with the same fixed point"
          % (c.size, differ))
    if differ:
        sys.exit("FAIL: C simulation and CPU fixed point differ")


def main():
    if sys.argv[1] == "--equal":
        return equal(sys.argv[2], sys.argv[3])
    if sys.argv[1] == "--compare":
        return compare(sys.argv[2], sys.argv[3], float(sys.argv[5]))
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
