"""ctypes wrappers over loomc's libraries, for the KV-cache benchmarks.

No MLIR and no Loom runtime library needed: `Generator` drives a
`loomc --generate` build through its cache API (model_cache_create,
model_generate_prefill, model_generate_step; docs/loomc.md), `FullModel` calls
a plain build's `model_run_packed`. Both read manifest.json for names and
shapes.
"""
import ctypes
import json
import os

import numpy as np

_DTYPES = {"float32": np.float32, "int64": np.int64, "float16": np.float16,
           "int32": np.int32, "int8": np.int8, "bool": np.bool_,
           "float64": np.float64}


def _manifest(outdir):
    with open(os.path.join(outdir, "manifest.json")) as f:
        return json.load(f)


class _Library:
    def __init__(self, outdir):
        self.manifest = _manifest(outdir)
        self.lib = ctypes.CDLL(os.path.join(outdir, "model.so"))
        entries = self.manifest["entry_points"]
        message = getattr(self.lib, entries["error_message"])
        message.restype = ctypes.c_char_p
        message.argtypes = [ctypes.c_int32]
        self._message = message

    def check(self, code, what):
        if code != 0:
            raise RuntimeError(f"{what}: {self._message(code).decode()} (code {code})")


class FullModel(_Library):
    """A single-entry build: __call__(*inputs) -> list of outputs."""

    def __init__(self, outdir):
        super().__init__(outdir)
        self.run = getattr(self.lib, self.manifest["entry_points"]["run_packed"])
        self.run.restype = ctypes.c_int32
        self.run.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
        self.outputs = [np.empty(o["shape"], _DTYPES[o["dtype"]])
                        for o in self.manifest["outputs"]]
        self.input_specs = self.manifest["inputs"]

    def __call__(self, *inputs):
        arrays = [np.ascontiguousarray(x, _DTYPES[s["dtype"]]).reshape(s["shape"])
                  for x, s in zip(inputs, self.input_specs)]
        ptrs = (ctypes.c_void_p * (len(arrays) + len(self.outputs)))(
            *[a.ctypes.data for a in arrays + self.outputs])
        self.check(self.run(ptrs), "model_run")
        return self.outputs


class Generator(_Library):
    """A --generate build: prefill(tokens) -> logits [P, V]; step(token,
    position) -> logits [V]. One cache object (one sequence)."""

    def __init__(self, outdir):
        super().__init__(outdir)
        gen = self.manifest["generate"]
        self.info = gen
        entries = gen["entry_points"]
        create = getattr(self.lib, entries["cache_create"])
        create.restype = ctypes.c_void_p
        self._free = getattr(self.lib, entries["cache_free"])
        self._free.argtypes = [ctypes.c_void_p]
        self._prefill = getattr(self.lib, entries["prefill"])
        self._prefill.restype = ctypes.c_int32
        self._prefill.argtypes = [ctypes.c_void_p, ctypes.c_void_p,
                                  ctypes.c_void_p]
        self._step = getattr(self.lib, entries["step"])
        self._step.restype = ctypes.c_int32
        self._step.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64,
                               ctypes.c_void_p]
        self.prompt_length = gen["prompt_length"]
        self.vocab = gen["vocab"]
        self.kv_bytes = gen["kv_bytes"]
        self.cache = create()
        if not self.cache:
            raise MemoryError("model_cache_create returned NULL")
        self.prefill_logits = np.empty((self.prompt_length, self.vocab), np.float32)
        self.step_logits = np.empty((self.vocab,), np.float32)

    def prefill(self, tokens):
        tokens = np.ascontiguousarray(tokens, np.int64).reshape(-1)
        self.check(self._prefill(self.cache, tokens.ctypes.data,
                                 self.prefill_logits.ctypes.data), "prefill")
        return self.prefill_logits

    def step(self, token, position):
        self.check(self._step(self.cache, int(token), int(position),
                              self.step_logits.ctypes.data),
                   f"decode step at position {position}")
        return self.step_logits

    def close(self):
        if self.cache:
            self._free(self.cache)
            self.cache = None

    def __del__(self):
        self.close()
