// A function may return one value twice, or return an argument unchanged: each
// result gets its own buffer with the right contents (this crashed
// buffer-results-to-out-params when static allocations were hoisted).
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; x=np.arange(6, dtype=np.float32).reshape(2,3); np.save('%t/x.npy', x); np.save('%t/2x.npy', 2*x)"
// RUN: loom-run %s --input %t/x.npy --compare %t/2x.npy --compare %t/2x.npy --compare %t/x.npy --rtol 0 --atol 0 | FileCheck %s
// CHECK-COUNT-3: : ok
func.func @main(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %e = tensor.empty() : tensor<2x3xf32>
  %r = linalg.add ins(%x, %x : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %r, %r, %x : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}
