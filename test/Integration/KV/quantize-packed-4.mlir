// KIVI storage of a 4-bit cache (the quantize-4.mlir case: C = 16, D = 8,
// groups of 4, residual 4; 10 tokens appended and quantized, 4 more appended,
// tokens 0..7 stored as codes, 8..13 in the residual), as the reference
// lowering holds it: like quantize-packed-2.mlir, the dequantized reads and a
// decode attention against NumPy, then the eleven parts of the cache (i8 codes
// two to a byte [1,2,16,4]). With groups this small and D = 8 the f32 scales,
// zero points and the 7-entry residual outweigh the codes: 2176 bytes against
// 2048 in f32 (see docs/KVCache.md for when KIVI saves memory).
//
// RUN: rm -rf %t && %python -m kv_reference quant4 %t
// RUN: loom-opt %s --convert-loom-to-linalg -o %t/lowered.mlir
// RUN: loom-run %t/lowered.mlir --input %t/in_0.npy --input %t/in_1.npy \
// RUN:   --input %t/in_2.npy --input %t/in_3.npy --input %t/in_4.npy \
// RUN:   --output-dir %t/out --compare %t/ref_0.npy --compare %t/ref_1.npy \
// RUN:   --compare %t/ref_2.npy --compare %t/ref_3.npy --rtol 1e-5 --atol 1e-6 \
// RUN:   | FileCheck %s
// CHECK-COUNT-4: : ok
// RUN: %python -m kv_reference check_packed %t %t/out 4 4 4 4 | FileCheck %s --check-prefix=PACKED
// PACKED: bytes: codes=256 scales=1024 residual=896 total=2176 full_precision=2048
// PACKED: keys: prefix=8 decode_exact=True bound_ok=True residual_exact=True
// PACKED: values: prefix=8 decode_exact=True bound_ok=True residual_exact=True

!cache = !loom.kv_cache<1x2x16x8xf32>
!qcache = !loom.kv_cache<1x2x16x8xf32, quant = <bits = 4, group = 4, residual = 4>>

func.func @main(%k1: tensor<1x2x10x8xf32>, %k2: tensor<1x2x4x8xf32>,
                %v1: tensor<1x2x10x8xf32>, %v2: tensor<1x2x4x8xf32>,
                %q: tensor<1x4x2x8xf32>)
    -> (tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1xi64>,
        tensor<1x4x2x8xf32>, !qcache) {
  %c0 = loom.kv.init : !cache
  %c1 = loom.kv.append %c0, %k1, %v1 : !cache, tensor<1x2x10x8xf32>, tensor<1x2x10x8xf32>
  %q1 = loom.kv.quantize %c1 : !cache -> !qcache
  %q2 = loom.kv.append %q1, %k2, %v2 : !qcache, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>
  %o = loom.attention %q, %q2 {causal}
      : (tensor<1x4x2x8xf32>, !qcache) -> tensor<1x4x2x8xf32>
  %k = loom.kv.keys %q2 : !qcache -> tensor<1x2x16x8xf32>
  %v = loom.kv.values %q2 : !qcache -> tensor<1x2x16x8xf32>
  %n = loom.kv.length %q2 : !qcache -> tensor<1xi64>
  return %k, %v, %n, %o, %q2
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1xi64>,
        tensor<1x4x2x8xf32>, !qcache
}
