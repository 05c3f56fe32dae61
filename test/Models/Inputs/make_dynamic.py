"""Dynamic-axis versions of the shared models: rewrites the batch and
sequence (token) dimensions of a model's graph inputs and outputs to
dim_params, as `torch.onnx.export(..., dynamic_axes=...)` declares them, and
says whether the graph is valid at sizes other than the exported ones.

Usage:
  python make_dynamic.py SRC.onnx DST.onnx NAME=DIM,DIM,... [...]
      NAME a graph input or output; each DIM a symbol (batch, sequence) or
      the exported size, kept (input_ids=batch,sequence
      linear_28=batch,sequence,512)
  python make_dynamic.py --check DST.onnx SYMBOL=N[,SYMBOL=N...] [...]
      runs DST.onnx in onnxruntime at each set of sizes (int64 inputs are 0,
      float inputs a seeded normal) and prints, per set, the output shapes,
      or the error when the graph cannot run at those sizes

Only the declared types change: the graph, its constants and its weights are
kept. The shared models (../shared/models, torch.onnx dynamo exports) were
exported with static shapes, and their graphs hard-code the exported sizes
(reshape targets, the RoPE tables and the causal mask as constants, a
zeros_like of the token count), so their dynamic versions run at the exported
sizes only; test/Models/dynamic-axes.test shows both.
"""
import sys

import numpy as np
import onnx


def make_dynamic(src, dst, specs):
    model = onnx.load(src)
    values = {v.name: v for v in list(model.graph.input) +
              list(model.graph.output)}
    for spec in specs:
        name, dims = spec.rsplit("=", 1)
        if name not in values:
            raise SystemExit("%s: no graph input or output '%s' (%s)" %
                             (src, name, ", ".join(values)))
        shape = values[name].type.tensor_type.shape
        dims = dims.split(",")
        if len(dims) != len(shape.dim):
            raise SystemExit("%s: '%s' has %d dimensions, not %d" %
                             (src, name, len(shape.dim), len(dims)))
        for d, new in zip(shape.dim, dims):
            if new.isdigit():
                if int(new) != d.dim_value:
                    raise SystemExit("%s: '%s' has size %d, not %s" %
                                     (src, name, d.dim_value, new))
            else:
                d.dim_param = new
    onnx.checker.check_model(model)
    onnx.save(model, dst)


def check(path, size_sets):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.log_severity_level = 4
    session = ort.InferenceSession(path, options,
                                   providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    for size_set in size_sets:
        sizes = dict((k, int(v)) for k, v in
                     (s.split("=") for s in size_set.split(",")))
        feeds = {}
        for i in session.get_inputs():
            shape = [sizes[d] if isinstance(d, str) else d for d in i.shape]
            feeds[i.name] = (np.zeros(shape, np.int64) if "int64" in i.type
                             else rng.standard_normal(shape).astype(np.float32))
        try:
            outputs = session.run(None, feeds)
            print("%s: ok, outputs %s" % (size_set, ", ".join(
                "x".join(map(str, o.shape)) for o in outputs)))
        except Exception as e:  # onnxruntime raises its own types
            print("%s: onnxruntime cannot run it: %s" %
                  (size_set, str(e).splitlines()[0][:160]))


if __name__ == "__main__":
    if sys.argv[1] == "--check":
        check(sys.argv[2], sys.argv[3:])
    else:
        make_dynamic(sys.argv[1], sys.argv[2], sys.argv[3:])
