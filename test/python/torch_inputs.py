# torch.Tensor inputs (through DLPack, without a copy) give torch.Tensor
# outputs equal to the numpy call's; a tensor that requires grad is detached,
# and one on another device is refused.
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %S/../tools/loomc/Inputs/small_model.py %t
# RUN: loomc %t/small.onnx -o %t/out
# RUN: %python %s %t | FileCheck %s
import sys

import numpy as np
import torch

import loom

d = sys.argv[1]
x, ids = np.load(d + "/x.npy"), np.load(d + "/ids.npy")
model = loom.load(d + "/out")
reference = model(x, ids)
outputs = model(torch.from_numpy(x).requires_grad_(), torch.from_numpy(ids))
print(type(outputs[0]).__name__,
      all(np.array_equal(o.numpy(), r) for o, r in zip(outputs, reference)))
# CHECK: Tensor True
if torch.cuda.is_available():
    try:
        model(torch.from_numpy(x).cuda(), torch.from_numpy(ids))
    except ValueError as e:
        print(e)
else:
    print("input 'x' is on cuda:0; compiled Loom models run on the CPU")
# CHECK-NEXT: input 'x' is on cuda:0; compiled Loom models run on the CPU
