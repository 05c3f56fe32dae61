"""Loom from Python: run models that `loomc` compiled, without MLIR.

    import loom
    loom.compile("model.onnx", "out", threads=4)   # runs loomc
    model = loom.load("out")                       # checks and loads out/model.so
    logits = model(input_ids)                      # numpy in, numpy out

`loom.load` goes through the runtime library (libLoomRuntimeCore.so, no LLVM
or MLIR) with ctypes; `python -m loom.run OUTDIR` is `loom-run OUTDIR`.
docs/Runtime.md ("Python") describes where the library is found.
"""
from ._compile import compile
from ._runtime import (LoomError, Model, ModelRuntimeError, RandomInputs,
                       TensorInfo, library_path, load)

# Public names read as loom.X in tracebacks and reprs.
for _cls in (LoomError, Model, ModelRuntimeError, RandomInputs, TensorInfo):
    _cls.__module__ = __name__
del _cls

__all__ = ["LoomError", "Model", "ModelRuntimeError", "RandomInputs",
           "TensorInfo", "compile", "library_path", "load"]
