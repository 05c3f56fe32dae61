// Inputs from .npy, results written as .npy, and comparisons that pass and fail.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; r=np.random.default_rng(1); a=r.standard_normal((2,3)).astype(np.float32); b=r.standard_normal((2,3)).astype(np.float32); np.save('%t/a.npy',a); np.save('%t/b.npy',b); np.save('%t/sum.npy',a+b); np.save('%t/wrong.npy',a-b); np.save('%t/cnt.npy',np.array([6],dtype=np.int64))"
// RUN: loom-run %s --input %t/a.npy --input %t/b.npy --output-dir %t/out --compare %t/sum.npy --compare %t/cnt.npy | FileCheck %s --check-prefix=OK
// RUN: %python -c "import numpy as np; a=np.load('%t/out/result0.npy'); assert a.dtype==np.float32 and a.shape==(2,3); assert np.allclose(a, np.load('%t/sum.npy'))"
// RUN: not loom-run %s --input %t/a.npy --input %t/b.npy --compare %t/wrong.npy | FileCheck %s --check-prefix=BAD

// OK: result0: 2x3 f32 vs sum.npy: max_abs_err=0.000000e+00 {{.*}}: ok
// OK: result1: 1 i64 vs cnt.npy: max_abs_err=0.000000e+00 {{.*}}: ok
// BAD: result0: 2x3 f32 vs wrong.npy: {{.*}}: FAIL, {{[0-9]+}} of 6 elements out of tolerance, worst at flat index

#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @add(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<1xi64>) {
  %init = tensor.empty() : tensor<2x3xf32>
  %r = linalg.add ins(%a, %b : tensor<2x3xf32>, tensor<2x3xf32>) outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32>
  %c = arith.constant dense<6> : tensor<1xi64>
  return %r, %c : tensor<2x3xf32>, tensor<1xi64>
}
