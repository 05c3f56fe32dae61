"""ctypes binding of the runtime library's C API (include/loom/Runtime/
loom_runtime.h) and the Model class over it.

The library is found, in this order, at
  1. $LOOM_RUNTIME_LIBRARY (a path to libLoomRuntimeCore.so);
  2. loom/libLoomRuntimeCore.so, built by `pip install ./python`;
  3. build/lib/libLoomRuntimeCore.so of the checkout this package lies in
     (PYTHONPATH=python from the repository root, after `make build`);
  4. ../lib/libLoomRuntimeCore.so next to a `loomc` on PATH.
Nothing here needs MLIR or LLVM: the runtime library links neither.
"""
import ctypes
import os
import shutil
import sys
import threading

import numpy as np

LIBRARY_NAME = "libLoomRuntimeCore.so"
API_VERSION = 3

# loom_status
STATUS_OK = 0
STATUS_INVALID_ARGUMENT = 1
STATUS_INVALID_MODEL = 2
STATUS_RUNTIME_ERROR = 3
STATUS_OUT_OF_MEMORY = 4

# The short dtype names of loom-run's messages ("2x3 f32").
SHORT_DTYPE_NAMES = {"float16": "f16", "float32": "f32", "float64": "f64",
                     "int8": "i8", "int16": "i16", "int32": "i32",
                     "int64": "i64", "uint8": "u8", "bool": "bool"}


class LoomError(Exception):
    """A model directory that cannot be loaded, or a call the runtime
    refused. The message is the runtime's (loom-run prints the same text
    after `error: `)."""


class ModelRuntimeError(LoomError):
    """The compiled model reported a run-time error (for example appending
    past a KV cache's capacity); `code` is its LOOM_ERROR_* code. The outputs
    of that call are unspecified."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


class _TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_char_p),
                ("npy_descr", ctypes.c_char_p), ("item_size", ctypes.c_int64),
                ("rank", ctypes.c_int64),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("num_elements", ctypes.c_int64),
                ("byte_size", ctypes.c_int64)]


def _candidates():
    env = os.environ.get("LOOM_RUNTIME_LIBRARY")
    if env:
        yield env, "$LOOM_RUNTIME_LIBRARY"
        return
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.join(here, LIBRARY_NAME), "the installed package"
    yield (os.path.join(os.path.dirname(os.path.dirname(here)), "build", "lib",
                        LIBRARY_NAME), "the checkout's build/lib")
    loomc = shutil.which("loomc")
    if loomc:
        yield (os.path.join(os.path.dirname(os.path.realpath(loomc)),
                            os.pardir, "lib", LIBRARY_NAME),
               "next to loomc on PATH")


_library = None
_library_lock = threading.Lock()


def library_path():
    """The path of the runtime library this package uses."""
    return _load_library()._name


def _load_library():
    global _library
    with _library_lock:
        if _library is not None:
            return _library
        tried = []
        for path, where in _candidates():
            if os.path.isfile(path):
                break
            tried.append("%s (%s)" % (path, where))
        else:
            raise LoomError(
                "cannot find the Loom runtime library %s; looked at %s. Set "
                "LOOM_RUNTIME_LIBRARY to its path (CMake builds it as "
                "build/lib/%s), or pip install ./python" % (
                    LIBRARY_NAME, ", ".join(tried), LIBRARY_NAME))
        try:
            lib = ctypes.CDLL(os.path.abspath(path))
        except OSError as e:
            raise LoomError("cannot load the Loom runtime library %s: %s" %
                            (path, e)) from None
        _declare(lib)
        version = lib.loom_runtime_api_version()
        if version != API_VERSION:
            raise LoomError("the Loom runtime library %s has API version %d; "
                            "this package needs %d" % (path, version,
                                                       API_VERSION))
        _library = lib
        return lib


def _declare(lib):
    c = ctypes
    model_p = c.c_void_p
    signatures = {
        "loom_runtime_api_version": ([], c.c_int32),
        "loom_runtime_abi_version": ([], c.c_int32),
        "loom_model_open": ([c.c_char_p, c.POINTER(model_p)], c.c_int),
        "loom_model_close": ([model_p], None),
        "loom_model_name": ([model_p], c.c_char_p),
        "loom_model_library_path": ([model_p], c.c_char_p),
        "loom_model_num_inputs": ([model_p], c.c_size_t),
        "loom_model_num_outputs": ([model_p], c.c_size_t),
        "loom_model_input_info": ([model_p, c.c_size_t,
                                   c.POINTER(_TensorInfo)], c.c_int),
        "loom_model_output_info": ([model_p, c.c_size_t,
                                    c.POINTER(_TensorInfo)], c.c_int),
        "loom_model_run": ([model_p, c.POINTER(c.c_void_p), c.c_size_t,
                            c.POINTER(c.c_void_p), c.c_size_t,
                            c.POINTER(c.c_int32)], c.c_int),
        "loom_model_target": ([model_p], c.c_char_p),
        "loom_model_run_device": ([model_p, c.POINTER(c.c_void_p), c.c_size_t,
                                   c.POINTER(c.c_void_p), c.c_size_t,
                                   c.c_void_p, c.POINTER(c.c_int32)], c.c_int),
        "loom_model_generate_info": ([model_p] + [c.POINTER(c.c_int64)] * 4,
                                     c.c_int),
        "loom_model_generate": ([model_p, c.POINTER(c.c_int64), c.c_size_t,
                                 c.c_size_t, c.POINTER(c.c_int64),
                                 c.POINTER(c.c_float), c.POINTER(c.c_int32)],
                                c.c_int),
        "loom_last_error_message": ([], c.c_char_p),
        "loom_runtime_error_string": ([c.c_int32], c.c_char_p),
        "loom_random_create": ([c.c_uint64], c.c_void_p),
        "loom_random_fill": ([c.c_void_p, c.c_char_p, c.c_void_p, c.c_int64],
                             c.c_int),
        "loom_random_destroy": ([c.c_void_p], None),
    }
    for name, (argtypes, restype) in signatures.items():
        function = getattr(lib, name)
        function.argtypes = argtypes
        function.restype = restype


def _last_error(lib):
    return lib.loom_last_error_message().decode("utf-8", "replace")


def _check(lib, status):
    if status != STATUS_OK:
        raise LoomError(_last_error(lib))


class TensorInfo:
    """An input or output of a compiled model: its value name, numpy dtype
    and shape (a tuple)."""

    __slots__ = ("name", "dtype", "shape")

    def __init__(self, name, dtype, shape):
        self.name = name
        self.dtype = dtype
        self.shape = shape

    def describe(self):
        """"2x3 f32", as loom-run's messages write it."""
        return describe(self.shape, self.dtype)

    def __repr__(self):
        return "TensorInfo(name=%r, dtype=%s, shape=%r)" % (
            self.name, self.dtype, self.shape)


def describe(shape, dtype):
    """"2x3 f32" (big-endian and other dtypes the ABI lacks by their numpy
    spelling, e.g. ">f4", "complex64")."""
    shape_text = "x".join(str(d) for d in shape) if len(shape) else "scalar"
    dtype = np.dtype(dtype)
    if dtype.byteorder == ">":
        return "%s %s" % (shape_text, dtype.str)
    return "%s %s" % (shape_text, SHORT_DTYPE_NAMES.get(dtype.name,
                                                         dtype.name))


def _torch_module(value):
    """torch, if `value` is a torch.Tensor (torch is only ever imported by the
    caller)."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        return torch
    return None


def _to_array(value, spec):
    """`value` (a numpy array, a DLPack tensor such as a torch.Tensor, or
    anything np.asarray takes) as a C-contiguous numpy array of `spec`'s
    dtype and shape, without copying when it already is one."""
    torch = _torch_module(value)
    if torch is not None:
        if value.device.type != "cpu":
            raise ValueError("input '%s' is on %s; this model runs on host "
                             "buffers (only a --target=cuda model takes CUDA "
                             "tensors, all of them on one GPU)"
                             % (spec.name, value.device))
        value = value.detach().resolve_conj().resolve_neg()
    if isinstance(value, np.ndarray):
        array = value
    elif hasattr(value, "__dlpack__"):
        try:
            array = np.from_dlpack(value)
        except (BufferError, TypeError, RuntimeError) as e:
            raise TypeError("input '%s': cannot view the tensor through "
                            "DLPack: %s" % (spec.name, e)) from None
    else:
        array = np.asarray(value, dtype=spec.dtype)
    if array.dtype != spec.dtype or tuple(array.shape) != spec.shape:
        raise ValueError("input '%s' is %s but the model expects %s" % (
            spec.name, describe(array.shape, array.dtype), spec.describe()))
    return np.require(array, requirements=["C_CONTIGUOUS", "ALIGNED"])


def _torch_dtype(torch, dtype):
    """The torch dtype of numpy `dtype`."""
    return {"float16": torch.float16, "float32": torch.float32,
            "float64": torch.float64, "int8": torch.int8,
            "int16": torch.int16, "int32": torch.int32, "int64": torch.int64,
            "uint8": torch.uint8, "bool": torch.bool}[np.dtype(dtype).name]


def _cuda_device(values):
    """The torch device when the inputs are torch CUDA tensors (all on one
    device), None when none is; mixing CUDA tensors with host data or two
    GPUs is an error."""
    on_gpu = [v for v in values
              if _torch_module(v) is not None and v.device.type == "cuda"]
    if not on_gpu:
        return None
    devices = sorted({str(v.device) for v in on_gpu})
    if len(devices) > 1:
        raise ValueError("the inputs are on %s; a call takes CUDA tensors "
                         "on one GPU" % ", ".join(devices))
    if len(on_gpu) != len(values):
        raise ValueError("some inputs are CUDA tensors and some are not; "
                         "pass all of them on the GPU or none")
    return on_gpu[0].device


class Model:
    """A model directory written by `loomc -o DIR` (--target=cpu or cuda), loaded
    through the runtime library (which checks the directory: see
    docs/Runtime.md, "Loading a model directory").

        model = loom.load("out")
        logits = model(input_ids)                 # positional, in input order
        logits = model(input_ids=ids)             # or by input name
        outputs = model.run({"input_ids": ids})   # a dict by output name

    Inputs are numpy arrays (or DLPack tensors, torch.Tensor included, or
    anything np.asarray takes) of exactly the model's dtype and shape
    (`model.target` says which target compiled it: a cuda model copies host
    inputs to the GPU and its outputs back, and waits);
    `model.inputs` and `model.outputs` list them. A call returns the one
    output, or a tuple of them, as new numpy arrays (torch tensors when an
    input was one). Calls may run concurrently from several threads (the
    GIL is released during a call).

    A cuda model also takes torch CUDA tensors (all inputs on one GPU; a
    non-contiguous one is copied first): the call passes their data
    pointers, allocates the outputs with torch on that GPU and enqueues the
    model on torch's current stream there, without waiting, as a torch op
    would. Synchronise the stream (or use the outputs in torch) to see
    them; a kernel fault shows at that point.
    """

    def __init__(self, path):
        self._lib = _load_library()
        self._handle = None
        handle = ctypes.c_void_p()
        status = self._lib.loom_model_open(os.fsencode(path),
                                           ctypes.byref(handle))
        _check(self._lib, status)
        self._handle = handle
        self.path = os.fspath(path)
        self.name = self._lib.loom_model_name(handle).decode()
        self.target = self._lib.loom_model_target(handle).decode()
        self.library_path = self._lib.loom_model_library_path(
            handle).decode("utf-8", "surrogateescape")
        self.inputs = self._infos(self._lib.loom_model_num_inputs,
                                  self._lib.loom_model_input_info)
        self.outputs = self._infos(self._lib.loom_model_num_outputs,
                                   self._lib.loom_model_output_info)

    def _infos(self, count, info):
        result = []
        for i in range(count(self._handle)):
            t = _TensorInfo()
            _check(self._lib, info(self._handle, i, ctypes.byref(t)))
            result.append(TensorInfo(
                t.name.decode("utf-8"), np.dtype(t.dtype.decode()),
                tuple(t.shape[d] for d in range(t.rank))))
        return result

    def close(self):
        """Unloads the library. No call may be running."""
        if self._handle is not None:
            self._lib.loom_model_close(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_handle", None) is not None:
            self.close()

    def __repr__(self):
        return "<loom.Model %s: %s -> %s>" % (
            self.path, ", ".join("%s %s" % (t.name, t.describe())
                                 for t in self.inputs),
            ", ".join("%s %s" % (t.name, t.describe()) for t in self.outputs))

    def _bind(self, args, kwargs):
        """The inputs in model order from positional and named arguments."""
        if len(args) > len(self.inputs):
            raise TypeError("the model takes %d inputs but %d were given" %
                            (len(self.inputs), len(args)))
        values = list(args) + [None] * (len(self.inputs) - len(args))
        given = [True] * len(args) + [False] * (len(self.inputs) - len(args))
        index = {t.name: i for i, t in enumerate(self.inputs)}
        for name, value in kwargs.items():
            if name not in index:
                raise TypeError("the model has no input named '%s' (its "
                                "inputs: %s)" % (name, ", ".join(
                                    "'%s'" % t.name for t in self.inputs)))
            if given[index[name]]:
                raise TypeError("input '%s' is given twice" % name)
            values[index[name]] = value
            given[index[name]] = True
        missing = [t.name for t, g in zip(self.inputs, given) if not g]
        if missing:
            raise TypeError("missing input%s %s" % (
                "s" if len(missing) > 1 else "",
                ", ".join("'%s'" % n for n in missing)))
        return values

    def _run(self, values):
        if self._handle is None:
            raise LoomError("the model is closed")
        device = _cuda_device(values)
        if device is not None:
            return self._run_device(values, device)
        as_torch = next((m for m in map(_torch_module, values) if m), None)
        arrays = [_to_array(v, spec) for v, spec in zip(values, self.inputs)]
        outputs = [np.empty(t.shape, t.dtype) for t in self.outputs]
        self._call(self._lib.loom_model_run,
                   [a.ctypes.data for a in arrays],
                   [o.ctypes.data for o in outputs])
        if as_torch is not None:
            outputs = [as_torch.from_numpy(o) for o in outputs]
        return outputs

    def _run_device(self, values, device):
        """Runs a cuda model on torch CUDA tensors on torch's current stream
        of `device`."""
        torch = sys.modules["torch"]
        if self.target != "cuda":
            raise ValueError("input '%s' is on %s but the model is compiled "
                             "for the '%s' target (compile with "
                             "--target=cuda to run on CUDA tensors)" % (
                                 self.inputs[0].name, device, self.target))
        tensors = []
        for value, spec in zip(values, self.inputs):
            want = _torch_dtype(torch, spec.dtype)
            if value.dtype != want or tuple(value.shape) != spec.shape:
                raise ValueError("input '%s' is %s %s but the model expects "
                                 "%s" % (spec.name, tuple(value.shape),
                                         value.dtype, spec.describe()))
            tensors.append(value.detach().contiguous())
        outputs = [torch.empty(t.shape, dtype=_torch_dtype(torch, t.dtype),
                               device=device) for t in self.outputs]
        with torch.cuda.device(device):
            stream = torch.cuda.current_stream(device).cuda_stream
            self._call(self._lib.loom_model_run_device,
                       [t.data_ptr() for t in tensors],
                       [o.data_ptr() for o in outputs],
                       ctypes.c_void_p(stream))
        return outputs

    def _call(self, run, inputs, outputs, *extra):
        """Calls loom_model_run or loom_model_run_device (`extra`: its
        stream) on the input and output addresses; a run-time error of the
        model raises ModelRuntimeError, any other failure LoomError."""
        in_pointers = (ctypes.c_void_p * max(1, len(inputs)))(*inputs)
        out_pointers = (ctypes.c_void_p * max(1, len(outputs)))(*outputs)
        code = ctypes.c_int32(0)
        status = run(self._handle, in_pointers, len(inputs), out_pointers,
                     len(outputs), *extra, ctypes.byref(code))
        if status == STATUS_RUNTIME_ERROR:
            raise ModelRuntimeError(_last_error(self._lib), code.value)
        _check(self._lib, status)

    def __call__(self, *args, **kwargs):
        outputs = self._run(self._bind(args, kwargs))
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    @property
    def generate_info(self):
        """For a `loomc --generate` model, {"prompt_length", "vocab",
        "capacity", "kv_bytes"}; None for other models."""
        if self._handle is None:
            raise LoomError("the model is closed")
        values = [ctypes.c_int64(0) for _ in range(4)]
        status = self._lib.loom_model_generate_info(
            self._handle, *[ctypes.byref(v) for v in values])
        if status != STATUS_OK:
            return None
        return dict(zip(("prompt_length", "vocab", "capacity", "kv_bytes"),
                        (v.value for v in values)))

    def generate(self, prompt_ids, n, return_logits=False):
        """Greedy generation with a `loomc --generate` model: prefills
        `prompt_ids` (the model's prompt length of int64 token ids, shape
        [P] or [1, P]) and returns the `n` new tokens as an int64 array of
        shape [n] (with return_logits, also the [n, vocab] float32 logits
        rows they were chosen from). A full KV cache or a bad token raises
        ModelRuntimeError."""
        info = self.generate_info
        if info is None:
            raise LoomError("model '%s' was not compiled with loomc "
                            "--generate" % self.name)
        prompt = np.ascontiguousarray(np.asarray(prompt_ids), np.int64)
        if prompt.ndim == 2 and prompt.shape[0] == 1:
            prompt = prompt[0]
        if prompt.ndim != 1 or prompt.shape[0] != info["prompt_length"]:
            raise ValueError("the prompt is %s but the model takes %d token "
                             "ids ([P] or [1, P])" % (
                                 tuple(np.shape(prompt_ids)),
                                 info["prompt_length"]))
        n = int(n)
        if n < 0:
            raise ValueError("n must not be negative")
        tokens = np.zeros(n, np.int64)
        logits = np.zeros((n, info["vocab"]), np.float32)
        code = ctypes.c_int32(0)
        status = self._lib.loom_model_generate(
            self._handle, prompt.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)),
            prompt.shape[0], n,
            tokens.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)),
            logits.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
            ctypes.byref(code))
        if status == STATUS_RUNTIME_ERROR:
            raise ModelRuntimeError(_last_error(self._lib), code.value)
        _check(self._lib, status)
        return (tokens, logits) if return_logits else tokens

    def run(self, inputs=(), **kwargs):
        """Runs on `inputs` (a sequence in input order, or a mapping by input
        name) and keyword inputs; returns {output name: array}."""
        if isinstance(inputs, dict):
            kwargs = dict(inputs, **kwargs)
            inputs = ()
        outputs = self._run(self._bind(tuple(inputs), kwargs))
        return {t.name: o for t, o in zip(self.outputs, outputs)}


def load(path):
    """Loads the model directory `path` (what `loomc -o path` wrote)."""
    return Model(path)


class RandomInputs:
    """The uniform [-1, 1) stream of `loom-run --random-seed SEED`: arrays are
    filled one after the other from one stream, as loom-run fills the inputs
    it was not given."""

    def __init__(self, seed):
        self._lib = _load_library()
        self._handle = self._lib.loom_random_create(seed)
        if not self._handle:
            raise MemoryError("loom_random_create")

    def generate(self, dtype, shape):
        dtype = np.dtype(dtype)
        array = np.empty(shape, dtype)
        _check(self._lib, self._lib.loom_random_fill(
            self._handle, dtype.name.encode(), array.ctypes.data, array.size))
        return array

    def __del__(self):
        if getattr(self, "_handle", None):
            self._lib.loom_random_destroy(self._handle)
            self._handle = None


def runtime_error_string(code):
    """The description of a model's run-time error code."""
    return _load_library().loom_runtime_error_string(code).decode()
