# loom.compile runs loomc with keyword options as flags; the compiled model
# loads and matches onnxruntime (rtol = atol = 1e-5: float32, summation order
# only). loomc's failure is a LoomError with its message.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %S/../tools/loomc/Inputs/small_model.py %t
# RUN: echo "hello" > %t/text.onnx
# RUN: %python %s %t | FileCheck %s
import sys

import numpy as np

import loom
from loom._compile import compile_args

d = sys.argv[1]
print(compile_args("m.onnx", "out", {"name": "small", "threads": 1,
                                     "opt_level": 2, "reference": True,
                                     "no_raise": False, "mcpu": None}))
# CHECK: ['m.onnx', '-o', 'out', '--name=small', '--threads=1', '-O2', '--reference']

out = loom.compile(d + "/small.onnx", d + "/out", name="small", threads=1,
                   opt_level=2)
model = loom.load(out)
print(model.name, [t.name for t in model.outputs])
# CHECK-NEXT: small ['y', 'emb/out:0', 'sum']
outputs = model(np.load(d + "/x.npy"), np.load(d + "/ids.npy"))
for out, name in zip(outputs, ("y", "emb", "sum")):
    np.testing.assert_allclose(out, np.load(d + "/ref_%s.npy" % name),
                               rtol=1e-5, atol=1e-5)
print("matches onnxruntime")
# CHECK-NEXT: matches onnxruntime

for call in (lambda: loom.compile(d + "/text.onnx", d + "/bad"),
             lambda: loom.compile(d + "/small.onnx", d + "/bad", name="1x"),
             lambda: loom.compile(d + "/small.onnx", d + "/bad",
                                  loomc=d + "/no-such-loomc")):
    try:
        call()
    except loom.LoomError as e:
        print("LoomError:", e)
# CHECK-NEXT: LoomError: loomc failed: {{.*}}text.onnx: '{{.*}}text.onnx' is not a valid ONNX model (truncated or not an ONNX protobuf)
# CHECK-NEXT: LoomError: loomc failed: --name '1x' is not a C identifier
# CHECK-NEXT: LoomError: cannot run {{.*}}no-such-loomc: [Errno 2] No such file or directory
