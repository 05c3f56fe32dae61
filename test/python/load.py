# loom.load runs a compiled ONNX model (test/tools/loomc/Inputs/small_model.py:
# f32 and i64 inputs, three outputs) from numpy arrays, by position, by name
# and as a dict, and from DLPack tensors, from several threads; the outputs
# match onnxruntime's (rtol = atol = 1e-5: float32, summation order only).
# Bad calls and bad directories raise with the runtime's messages, a run-time
# error of the model raises ModelRuntimeError with its code, and nothing of
# LLVM or MLIR is ever mapped into the process.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %S/../tools/loomc/Inputs/small_model.py %t
# RUN: loomc %t/small.onnx -o %t/out
# RUN: %python -m kv_reference capacity %t/kv
# RUN: loomc %S/../tools/loomc/runtime-error.mlir --entry main --name bad -o %t/bad
# RUN: %python %s %t | FileCheck %s
import os
import shutil
import subprocess
import sys
import threading

import numpy as np

import loom

d = sys.argv[1]
x, ids = np.load(d + "/x.npy"), np.load(d + "/ids.npy")
refs = [np.load(d + "/ref_%s.npy" % n) for n in ("y", "emb", "sum")]


def expect_error(kind, function):
    try:
        function()
    except kind as e:
        print("%s: %s" % (type(e).__name__, e))
        return e
    raise AssertionError("no %s" % kind.__name__)


model = loom.load(d + "/out")
# CHECK: <loom.Model {{.*}}/out: x 2x3x4 f32, ids 3 i64 -> y 2x3x5 f32, emb/out:0 3x4 f32, sum 2x3 f32>
print(model)
# CHECK-NEXT: inputs [TensorInfo(name='x', dtype=float32, shape=(2, 3, 4)), TensorInfo(name='ids', dtype=int64, shape=(3,))]
print("inputs", model.inputs)
print("library", os.path.relpath(loom.library_path(),
                                 os.environ["LOOM_RUNTIME_LIBRARY"]))
# CHECK-NEXT: library .

outputs = model(x, ids)
for out, ref in zip(outputs, refs):
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    assert out.dtype == ref.dtype and out.shape == ref.shape
print("positional: matches onnxruntime")
# CHECK-NEXT: positional: matches onnxruntime
by_name = model(ids=ids, x=x)
as_dict = model.run({"x": x, "ids": ids})
print("by name:", all(np.array_equal(a, b) for a, b in zip(by_name, outputs)),
      "dict:", list(as_dict),
      all(np.array_equal(a, b) for a, b in zip(as_dict.values(), outputs)))
# CHECK-NEXT: by name: True dict: ['y', 'emb/out:0', 'sum'] True

# Views that are not C-contiguous are copied; lists become arrays.
x_fortran = np.asfortranarray(x)
same = model(x_fortran, ids.tolist())
print("fortran-order and list inputs:",
      all(np.array_equal(a, b) for a, b in zip(same, outputs)))
# CHECK-NEXT: fortran-order and list inputs: True


class DLPackOnly:
    """A tensor that numpy sees only through the DLPack protocol."""

    def __init__(self, array):
        self.array = array

    def __dlpack__(self, **kwargs):
        return self.array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self.array.__dlpack_device__()


dl = model(DLPackOnly(x), DLPackOnly(ids))
print("dlpack:", all(np.array_equal(a, b) for a, b in zip(dl, outputs)))
# CHECK-NEXT: dlpack: True


class BrokenDLPack:
    def __dlpack__(self, **kwargs):
        raise BufferError("not exportable")

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU


# CHECK-NEXT: TypeError: input 'x': cannot view the tensor through DLPack: not exportable
expect_error(TypeError, lambda: model(BrokenDLPack(), ids))

results = []


def worker():
    for _ in range(10):
        results.append(all(np.array_equal(a, b)
                           for a, b in zip(model(x, ids), outputs)))


threads = [threading.Thread(target=worker) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads:", len(results), all(results))
# CHECK-NEXT: threads: 40 True

# CHECK-NEXT: TypeError: missing input 'ids'
expect_error(TypeError, lambda: model(x))
# CHECK-NEXT: TypeError: missing inputs 'x', 'ids'
expect_error(TypeError, lambda: model())
# CHECK-NEXT: TypeError: the model takes 2 inputs but 3 were given
expect_error(TypeError, lambda: model(x, ids, ids))
# CHECK-NEXT: TypeError: the model has no input named 'bogus' (its inputs: 'x', 'ids')
expect_error(TypeError, lambda: model(x, ids, bogus=1))
# CHECK-NEXT: TypeError: input 'x' is given twice
expect_error(TypeError, lambda: model(x, x=x, ids=ids))
# CHECK-NEXT: ValueError: input 'x' is 2x3x4 f64 but the model expects 2x3x4 f32
expect_error(ValueError, lambda: model(x.astype(np.float64), ids))
# CHECK-NEXT: ValueError: input 'ids' is 2 i64 but the model expects 3 i64
expect_error(ValueError, lambda: model(x, ids[:2]))
# CHECK-NEXT: ValueError: input 'x' is 2x3x4 >f4 but the model expects 2x3x4 f32
expect_error(ValueError, lambda: model(x.astype(">f4"), ids))

# A bad directory: the runtime's message.
# CHECK-NEXT: LoomError: {{.*}}nonexistent: not a compiled model directory (it has no manifest.json; loomc --target=cpu -o DIR writes one)
expect_error(loom.LoomError, lambda: loom.load(d + "/nonexistent"))
shutil.copytree(d + "/out", d + "/tampered")
with open(d + "/tampered/manifest.json") as f:
    text = f.read()
with open(d + "/tampered/manifest.json", "w") as f:
    f.write(text.replace('"name": "ids"', '"name": "idz"'))
# CHECK-NEXT: LoomError: {{.*}}tampered/model.so: the library's signature does not match {{.*}}tampered/manifest.json: input 1 is 'ids' in the library, 'idz' in the manifest
expect_error(loom.LoomError, lambda: loom.load(d + "/tampered"))

# A run-time error of the model (appending past a KV cache's capacity).
bad = loom.load(d + "/bad")
kv = [np.load(d + "/kv/in_%d.npy" % i) for i in range(4)]
e = expect_error(loom.ModelRuntimeError, lambda: bad(*kv))
# CHECK-NEXT: ModelRuntimeError: runtime error: loom.kv.append: appending past the KV cache capacity (nothing was written)
print("code", e.code, isinstance(e, loom.LoomError))
# CHECK-NEXT: code 1 True

with loom.load(d + "/out") as scoped:
    scoped(x, ids)
# CHECK-NEXT: LoomError: the model is closed
expect_error(loom.LoomError, lambda: scoped(x, ids))

# Without the runtime library, or with something else in its place.
for library in ("/nonexistent/libLoomRuntimeCore.so", d + "/x.npy"):
    done = subprocess.run(
        [sys.executable, "-c", "import loom; loom.load('.')"],
        env=dict(os.environ, LOOM_RUNTIME_LIBRARY=library),
        capture_output=True, text=True)
    print(done.returncode, done.stderr.strip().splitlines()[-1])
# CHECK-NEXT: 1 loom.LoomError: cannot find the Loom runtime library libLoomRuntimeCore.so; looked at /nonexistent/libLoomRuntimeCore.so ($LOOM_RUNTIME_LIBRARY). Set LOOM_RUNTIME_LIBRARY to its path (CMake builds it as build/lib/libLoomRuntimeCore.so), or pip install ./python
# CHECK-NEXT: 1 loom.LoomError: cannot load the Loom runtime library {{.*}}x.npy: {{.*}}x.npy: invalid ELF header

with open("/proc/self/maps") as f:
    maps = f.read()
print("LLVM or MLIR mapped:", "libMLIR" in maps or "libLLVM" in maps,
      "runtime mapped:", "libLoomRuntimeCore.so" in maps)
# CHECK-NEXT: LLVM or MLIR mapped: False runtime mapped: True
