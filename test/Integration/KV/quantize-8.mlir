// KIVI-style 8-bit cache (groups of 4, residual 4): 10 tokens appended then
// quantized (tokens 0..3 form the only complete group before the residual),
// then 4 more appended (tokens 4..7 complete a group and are quantized by the
// append), then read by a causal decode attention and dequantized. Checks:
// (1) the entries and the attention output equal the NumPy fake quantization
// (rtol 1e-5, atol 1e-6); (2) every entry is within half a quantization step
// (scale / 2) of the original and the residual is exact.
//
// RUN: rm -rf %t && %python -m kv_reference quant8 %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --input %t/in_3.npy --input %t/in_4.npy --output-dir %t/out \
// RUN:   --compare %t/ref_0.npy --compare %t/ref_1.npy --compare %t/ref_2.npy \
// RUN:   --compare %t/ref_3.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// CHECK-COUNT-4: : ok
// RUN: %python -m kv_reference check_quant %t %t/out | FileCheck %s --check-prefix=BOUND
// BOUND: keys: {{.*}} bound_ok=True
// BOUND: values: {{.*}} bound_ok=True

!cache = !loom.kv_cache<1x2x16x8xf32>
!qcache = !loom.kv_cache<1x2x16x8xf32, quant = <bits = 8, group = 4, residual = 4>>

func.func @main(%k1: tensor<1x2x10x8xf32>, %k2: tensor<1x2x4x8xf32>,
                %v1: tensor<1x2x10x8xf32>, %v2: tensor<1x2x4x8xf32>,
                %q: tensor<1x4x2x8xf32>)
    -> (tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1xi64>,
        tensor<1x4x2x8xf32>) {
  %c0 = loom.kv.init : !cache
  %c1 = loom.kv.append %c0, %k1, %v1 : !cache, tensor<1x2x10x8xf32>, tensor<1x2x10x8xf32>
  %q1 = loom.kv.quantize %c1 : !cache -> !qcache
  %q2 = loom.kv.append %q1, %k2, %v2 : !qcache, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>
  %o = loom.attention %q, %q2 {causal}
      : (tensor<1x4x2x8xf32>, !qcache) -> tensor<1x4x2x8xf32>
  %d = loom.kv.dequantize %q2 : !qcache -> !cache
  %k = loom.kv.keys %d : !cache -> tensor<1x2x16x8xf32>
  %v = loom.kv.values %d : !cache -> tensor<1x2x16x8xf32>
  %n = loom.kv.length %d : !cache -> tensor<1xi64>
  return %k, %v, %n, %o
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1xi64>, tensor<1x4x2x8xf32>
}
