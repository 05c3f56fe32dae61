// A decode loop: the cache is carried through scf.for, one token appended and
// attended per iteration. The outputs must equal causal prefill attention over
// the whole sequence (NumPy, float64), and the final length must be 6.
// Tolerance: rtol 1e-5, atol 1e-6.
//
// RUN: rm -rf %t && %python -m decode_loop_reference %t
// RUN: loom-run %s --input %t/q.npy --input %t/k.npy --input %t/v.npy \
// RUN:   --compare %t/ref.npy --compare %t/length.npy --rtol 1e-5 --atol 1e-6 \
// RUN:   | FileCheck %s
// CHECK-COUNT-2: : ok

!cache = !loom.kv_cache<1x2x8x8xf32>

func.func @main(%q: tensor<1x4x6x8xf32>, %k: tensor<1x2x6x8xf32>,
                %v: tensor<1x2x6x8xf32>) -> (tensor<1x4x6x8xf32>, tensor<1xi64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c6 = arith.constant 6 : index
  %empty = loom.kv.init : !cache
  %init = tensor.empty() : tensor<1x4x6x8xf32>
  %out, %cache = scf.for %t = %c0 to %c6 step %c1
      iter_args(%acc = %init, %c = %empty) -> (tensor<1x4x6x8xf32>, !cache) {
    %kt = tensor.extract_slice %k[0, 0, %t, 0] [1, 2, 1, 8] [1, 1, 1, 1]
        : tensor<1x2x6x8xf32> to tensor<1x2x1x8xf32>
    %vt = tensor.extract_slice %v[0, 0, %t, 0] [1, 2, 1, 8] [1, 1, 1, 1]
        : tensor<1x2x6x8xf32> to tensor<1x2x1x8xf32>
    %qt = tensor.extract_slice %q[0, 0, %t, 0] [1, 4, 1, 8] [1, 1, 1, 1]
        : tensor<1x4x6x8xf32> to tensor<1x4x1x8xf32>
    %next = loom.kv.append %c, %kt, %vt
        : !cache, tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>
    %o = loom.attention %qt, %next {causal}
        : (tensor<1x4x1x8xf32>, !cache) -> tensor<1x4x1x8xf32>
    %acc2 = tensor.insert_slice %o into %acc[0, 0, %t, 0] [1, 4, 1, 8] [1, 1, 1, 1]
        : tensor<1x4x1x8xf32> into tensor<1x4x6x8xf32>
    scf.yield %acc2, %next : tensor<1x4x6x8xf32>, !cache
  }
  %len = loom.kv.length %cache : !cache -> tensor<1xi64>
  return %out, %len : tensor<1x4x6x8xf32>, tensor<1xi64>
}
