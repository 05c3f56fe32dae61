"""loom.load's torch-CUDA-tensor path without torch or a GPU.

A stand-in `torch` module (only what python/loom uses: Tensor with device,
dtype, shape, data_ptr, detach, contiguous; torch.empty; torch.cuda.device and
current_stream) whose "CUDA tensors" are numpy arrays in host memory, and the
stand-in driver (LOOM_CUDA_DRIVER, test/tools/loomc/Inputs/fake_libcuda.c),
which runs on host memory and only logs kernels. Checks that a cuda model
called on CUDA tensors goes through loom_model_run_device with their data
pointers and the current stream, returns new CUDA tensors of the outputs'
shapes, and that every misuse is an error that says what is wrong.

Usage: cuda_tensors.py CUDA_MODEL_DIR CPU_MODEL_DIR TWO_INPUT_CUDA_MODEL_DIR
"""
import contextlib
import sys
import types

import numpy as np

torch = types.ModuleType("torch")
sys.modules["torch"] = torch
streams = []


class device:
    def __init__(self, spec):
        self.type, _, index = str(spec).partition(":")
        self.index = int(index or 0)

    def __eq__(self, other):
        return str(self) == str(other)

    def __hash__(self):
        return hash(str(self))

    def __str__(self):
        return "%s:%d" % (self.type, self.index)


class Tensor:
    def __init__(self, array, where):
        self.array = array
        self.device = device(where)
        self.dtype = array.dtype
        self.shape = array.shape

    def detach(self):
        return self

    def contiguous(self):
        return Tensor(np.ascontiguousarray(self.array), str(self.device))

    def data_ptr(self):
        return self.array.ctypes.data


class Stream:
    cuda_stream = 0x1234


def current_stream(where):
    streams.append(str(where))
    return Stream()


torch.Tensor = Tensor
torch.device = device
for name in ("float16", "float32", "float64", "int8", "int16", "int32",
             "int64", "uint8", "bool"):
    setattr(torch, name, np.dtype(name))
torch.empty = lambda shape, dtype, device: Tensor(np.zeros(shape, dtype),
                                                  str(device))
torch.cuda = types.SimpleNamespace(
    device=lambda where: contextlib.nullcontext(),
    current_stream=current_stream)

import loom  # noqa: E402


def attempt(what, call):
    try:
        result = call()
    except (ValueError, loom.LoomError) as e:
        print("%s: %s: %s" % (what, type(e).__name__, e))
        return None
    print("%s: ok" % what)
    return result


gpu = loom.load(sys.argv[1])
cpu = loom.load(sys.argv[2])
print("targets:", gpu.target, cpu.target)
x = Tensor(np.ones((2, 4), np.float32), "cuda:0")
y = attempt("cuda tensors", lambda: gpu(x))
print("output:", type(y).__name__, y.device, y.shape, y.dtype,
      "stream of", streams)
strided = Tensor(np.ones((4, 2), np.float32).T, "cuda:0")
attempt("non-contiguous input", lambda: gpu(strided))
attempt("wrong shape", lambda: gpu(Tensor(np.ones((4, 2), np.float32),
                                          "cuda:0")))
attempt("wrong dtype", lambda: gpu(Tensor(np.ones((2, 4), np.float64),
                                          "cuda:0")))
attempt("cpu model", lambda: cpu(x))
attempt("numpy into the cuda model", lambda: gpu(np.ones((2, 4), np.float32)))
two = loom.load(sys.argv[3])
a = Tensor(np.ones((2, 3), np.float32), "cuda:0")
attempt("mixed inputs", lambda: two(a, np.ones(3, np.float32)))
attempt("two GPUs", lambda: two(a, Tensor(np.ones(3, np.float32), "cuda:1")))
outputs = attempt("two outputs", lambda: two(a, Tensor(np.ones(3, np.float32),
                                                       "cuda:0")))
print("outputs:", [(o.device.type, o.shape) for o in outputs])
