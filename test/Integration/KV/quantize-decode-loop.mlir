// KIVI while decoding: an scf.for appends one token a step to an initially
// empty 4-bit cache (groups of 2, residual 3; eleven parts carried through the
// loop), each append quantizes the group that just left the residual, and one
// query a step attends over the cache (codes dequantized on the fly plus the
// residual). After 12 steps tokens 0..7 are codes and 8..11 the residual.
// Checked against a sequential NumPy fake quantization (kv_reference.py
// quant_decode): the 12 attention outputs, the dequantized keys and values
// and the length. rtol 1e-5, atol 1e-6.
//
// RUN: rm -rf %t && %python -m kv_reference quant_decode %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --compare %t/ref_0.npy --compare %t/ref_1.npy --compare %t/ref_2.npy \
// RUN:   --compare %t/ref_3.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// CHECK-COUNT-4: : ok

!qcache = !loom.kv_cache<1x2x16x8xf32, quant = <bits = 4, group = 2, residual = 3>>

func.func @main(%q: tensor<1x4x12x8xf32>, %k: tensor<1x2x12x8xf32>,
                %v: tensor<1x2x12x8xf32>)
    -> (tensor<1x4x12x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>,
        tensor<1xi64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c12 = arith.constant 12 : index
  %empty = loom.kv.init : !qcache
  %init = tensor.empty() : tensor<1x4x12x8xf32>
  %out, %cache = scf.for %t = %c0 to %c12 step %c1
      iter_args(%acc = %init, %c = %empty) -> (tensor<1x4x12x8xf32>, !qcache) {
    %kt = tensor.extract_slice %k[0, 0, %t, 0] [1, 2, 1, 8] [1, 1, 1, 1]
        : tensor<1x2x12x8xf32> to tensor<1x2x1x8xf32>
    %vt = tensor.extract_slice %v[0, 0, %t, 0] [1, 2, 1, 8] [1, 1, 1, 1]
        : tensor<1x2x12x8xf32> to tensor<1x2x1x8xf32>
    %qt = tensor.extract_slice %q[0, 0, %t, 0] [1, 4, 1, 8] [1, 1, 1, 1]
        : tensor<1x4x12x8xf32> to tensor<1x4x1x8xf32>
    %next = loom.kv.append %c, %kt, %vt
        : !qcache, tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>
    %o = loom.attention %qt, %next {causal}
        : (tensor<1x4x1x8xf32>, !qcache) -> tensor<1x4x1x8xf32>
    %acc2 = tensor.insert_slice %o into %acc[0, 0, %t, 0] [1, 4, 1, 8] [1, 1, 1, 1]
        : tensor<1x4x1x8xf32> into tensor<1x4x12x8xf32>
    scf.yield %acc2, %next : tensor<1x4x12x8xf32>, !qcache
  }
  %keys = loom.kv.keys %cache : !qcache -> tensor<1x2x16x8xf32>
  %values = loom.kv.values %cache : !qcache -> tensor<1x2x16x8xf32>
  %len = loom.kv.length %cache : !qcache -> tensor<1xi64>
  return %out, %keys, %values, %len
      : tensor<1x4x12x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>,
        tensor<1xi64>
}
