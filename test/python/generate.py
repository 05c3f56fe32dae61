# loom.load of a `loomc --generate` directory: Model.generate(prompt_ids, n)
# returns the same tokens as loom-run --generate, and its logits rows match
# the toy LM's full-sequence NumPy form (rtol = atol = 1e-4, float32 logits
# of magnitude ~10). A full cache raises ModelRuntimeError with the library's
# code; other models and wrong prompts raise.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %S/../tools/loom-run/Inputs/toy_lm.py make %t --layers 2 --prompt 4 --capacity 8 --seed 2
# RUN: loomc %t/toy.mlir --generate -o %t/out
# RUN: loom-run %t/out --prompt %t/prompt.npy --generate 5 --output-dir %t/gen
# RUN: echo 'func.func @f(%%a: tensor<2xf32>) -> tensor<2xf32> { return %%a : tensor<2xf32> }' > %t/plain.mlir
# RUN: loomc %t/plain.mlir -o %t/plain
# RUN: %python %s %t %S/../tools/loom-run/Inputs | FileCheck %s
import os
import sys

import numpy as np

import loom

d = sys.argv[1]
sys.path.insert(0, sys.argv[2])
import toy_lm  # noqa: E402

model = loom.load(d + "/out")
print("info:", model.generate_info)
# CHECK: info: {'prompt_length': 4, 'vocab': 16, 'capacity': 8, 'kv_bytes': 1312}
prompt = np.load(d + "/prompt.npy")
tokens, logits = model.generate(prompt, 5, return_logits=True)
print("tokens:", tokens.dtype, tokens.shape,
      (tokens == np.load(d + "/gen/tokens.npy")[0]).all())
# CHECK: tokens: int64 (5,) True
data = np.load(d + "/weights.npz")
w = {k: data[k] for k in data.files if k not in ("layers", "dims")}
ref = toy_lm.reference_logits(w, 2, np.concatenate([prompt[0], tokens[:-1]]))[3:]
print("logits match:", np.allclose(logits, ref, rtol=1e-4, atol=1e-4))
# CHECK: logits match: True
print("flat prompt:", (model.generate(prompt[0], 2) == tokens[:2]).all())
# CHECK: flat prompt: True
print("n = 0:", model.generate(prompt, 0).shape)
# CHECK: n = 0: (0,)

try:
    model.generate(prompt, 6)
except loom.ModelRuntimeError as e:
    print("full:", e.code, e)
# CHECK: full: 1 loom_model_generate: decode step 5: loom.kv.append: appending past the KV cache capacity (nothing was written)
try:
    model.generate(np.array([[1, 2, 99, 3]]), 1)
except loom.ModelRuntimeError as e:
    print("vocab:", e.code)
# CHECK: vocab: 3
try:
    model.generate(prompt[:, :3], 1)
except ValueError as e:
    print("length:", e)
# CHECK: length: the prompt is (1, 3) but the model takes 4 token ids ([P] or [1, P])
plain = loom.load(d + "/plain")
print("plain info:", plain.generate_info)
# CHECK: plain info: None
try:
    plain.generate(prompt, 1)
except loom.LoomError as e:
    print("plain:", e)
# CHECK: plain: model 'model' was not compiled with loomc --generate
