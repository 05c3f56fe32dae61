// Exact comparison (--rtol 0 --atol 0) accepts equal infinities and rejects an
// infinity of the wrong sign; a NaN where a number is expected fails.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; x=np.array([1.0, np.inf, -np.inf, 0.0], np.float32); np.save('%t/x.npy', x); np.save('%t/neg.npy', -x); y=x.copy(); y[1]=-np.inf; np.save('%t/flip.npy', -y); z=np.array([0.0, 1.0, 1.0, 1.0], np.float32); np.save('%t/z.npy', z)"
// RUN: loom-run %s --entry neg --input %t/x.npy --compare %t/neg.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=OK
// RUN: not loom-run %s --entry neg --input %t/x.npy --compare %t/flip.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=FLIP
// RUN: not loom-run %s --entry div --input %t/z.npy --compare %t/z.npy | FileCheck %s --check-prefix=NAN
// OK: result0: 4 f32 vs neg.npy: max_abs_err=0.000000e+00 {{.*}}: ok
// FLIP: result0: 4 f32 vs flip.npy: {{.*}}: FAIL, 1 of 4 elements out of tolerance
// NAN: result0: 4 f32 vs z.npy: {{.*}}: FAIL, 1 of 4 elements out of tolerance (1 NaN)

func.func @neg(%a: tensor<4xf32>) -> tensor<4xf32> {
  %init = tensor.empty() : tensor<4xf32>
  %r = linalg.negf ins(%a : tensor<4xf32>) outs(%init : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// x / x: NaN for the zero element.
func.func @div(%a: tensor<4xf32>) -> tensor<4xf32> {
  %init = tensor.empty() : tensor<4xf32>
  %r = linalg.div ins(%a, %a : tensor<4xf32>, tensor<4xf32>) outs(%init : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
