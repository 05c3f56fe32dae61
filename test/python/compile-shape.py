# loom.compile(..., shape=...) passes loomc --shape: a comma-separated
# string, a list of specifications or a dict. The symbolic attention block of
# test/tools/loomc (symbolic batch and sequence) compiled each way at a
# different size, loaded and run against onnxruntime (rtol = atol = 1e-5:
# float32, summation order only).
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %S/../tools/loomc/Inputs/symbolic_attention.py %t 1:8 2:5 1:33
# RUN: %python %s %t | FileCheck %s
import sys

import numpy as np

import loom
from loom._compile import compile_args

d = sys.argv[1]
print(compile_args("m.onnx", "out", {"shape": "batch=1,sequence=8"}))
# CHECK: ['m.onnx', '-o', 'out', '--shape=batch=1,sequence=8']
print(compile_args("m.onnx", "out", {"shape": ["batch=2", "sequence=5"]}))
# CHECK-NEXT: ['m.onnx', '-o', 'out', '--shape=batch=2', '--shape=sequence=5']
print(compile_args("m.onnx", "out", {"shape": {"sequence": 33,
                                               "x": (1, 33, 16)}}))
# CHECK-NEXT: ['m.onnx', '-o', 'out', '--shape=sequence=33', '--shape=x=1x33x16']

for tag, shape in (("1x8", "batch=1,sequence=8"),
                   ("2x5", ["batch=2", "sequence=5"]),
                   ("1x33", {"sequence": 33, "x": (1, 33, 16)})):
    model = loom.load(loom.compile(d + "/attention.onnx", d + "/out" + tag,
                                   shape=shape))
    y, pooled = model(np.load("%s/x_%s.npy" % (d, tag)),
                      np.load("%s/mask_%s.npy" % (d, tag)))
    np.testing.assert_allclose(y, np.load("%s/ref_y_%s.npy" % (d, tag)),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(pooled,
                               np.load("%s/ref_pooled_%s.npy" % (d, tag)),
                               rtol=1e-5, atol=1e-5)
    print(tag, "x".join(map(str, y.shape)), "matches onnxruntime")
# CHECK-NEXT: 1x8 1x8x16 matches onnxruntime
# CHECK-NEXT: 2x5 2x5x16 matches onnxruntime
# CHECK-NEXT: 1x33 1x33x16 matches onnxruntime

try:
    loom.compile(d + "/attention.onnx", d + "/bad", shape="batch=0")
except loom.LoomError as e:
    print("LoomError:", e)
# CHECK-NEXT: LoomError: loomc failed: invalid --shape value 'batch=0': the size 0 is not positive
