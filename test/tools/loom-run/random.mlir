// Seeded random inputs are reproducible, and results print their types.
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-run %s --random-seed 7 --output-dir %t/a | FileCheck %s
// RUN: loom-run %s --random-seed 7 --output-dir %t/b
// RUN: cmp %t/a/result0.npy %t/b/result0.npy
// RUN: %python -c "import numpy as np; x=np.load('%t/a/result0.npy'); assert x.shape==(4,) and np.all(np.abs(x) < 1.0) and np.all(x == -np.load('%t/b/result0.npy')*-1)"
// CHECK: result0: 4 f32
func.func @neg(%a: tensor<4xf32>) -> tensor<4xf32> {
  %init = tensor.empty() : tensor<4xf32>
  %r = linalg.negf ins(%a : tensor<4xf32>) outs(%init : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
