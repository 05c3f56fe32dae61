// KIVI storage of a 2-bit cache, as the reference lowering holds it.
// C = 64, D = 16, groups of 16, residual 8: 40 tokens appended then quantized
// (tokens 0..31 become codes), 16 more appended (tokens 32..47 complete a
// group, the append quantizes it; 48..55 stay in the residual).
//
// The function returns the dequantized reads and a decode attention (checked
// against the NumPy fake quantization, like quantize-{2,4,8}.mlir) and then
// the quantized cache itself: lowered first, so that loom-run writes its
// eleven parts (KVCacheParts.h). Checks on the parts: dtypes and shapes (i8
// codes four to a byte [1,2,64,4], f32 scales and zero points [1,2,4,16] for
// keys and [1,2,64,1] for values, a 23-entry f32 residual), the bytes held,
// the codes decoding (q * scale + zero) bit for bit to the NumPy fake
// quantization and within scale / 2 of the originals, and the residual
// holding exactly the unquantized entries (zeros after them).
//
// RUN: rm -rf %t && %python -m kv_reference quant2_large %t
// RUN: loom-opt %s --convert-loom-to-linalg -o %t/lowered.mlir
// RUN: loom-run %t/lowered.mlir --input %t/in_0.npy --input %t/in_1.npy \
// RUN:   --input %t/in_2.npy --input %t/in_3.npy --input %t/in_4.npy \
// RUN:   --output-dir %t/out --compare %t/ref_0.npy --compare %t/ref_1.npy \
// RUN:   --compare %t/ref_2.npy --compare %t/ref_3.npy --rtol 1e-5 --atol 1e-6 \
// RUN:   | FileCheck %s
// CHECK-COUNT-4: : ok
// RUN: %python -m kv_reference check_packed %t %t/out 2 16 8 4 | FileCheck %s --check-prefix=PACKED
// PACKED: bytes: codes=1024 scales=2048 residual=5888 total=8960 full_precision=16384
// PACKED: keys: prefix=48 decode_exact=True bound_ok=True residual_exact=True
// PACKED: values: prefix=48 decode_exact=True bound_ok=True residual_exact=True

!cache = !loom.kv_cache<1x2x64x16xf32>
!qcache = !loom.kv_cache<1x2x64x16xf32, quant = <bits = 2, group = 16, residual = 8>>

func.func @main(%k1: tensor<1x2x40x16xf32>, %k2: tensor<1x2x16x16xf32>,
                %v1: tensor<1x2x40x16xf32>, %v2: tensor<1x2x16x16xf32>,
                %q: tensor<1x4x2x16xf32>)
    -> (tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1xi64>,
        tensor<1x4x2x16xf32>, !qcache) {
  %c0 = loom.kv.init : !cache
  %c1 = loom.kv.append %c0, %k1, %v1 : !cache, tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>
  %q1 = loom.kv.quantize %c1 : !cache -> !qcache
  %q2 = loom.kv.append %q1, %k2, %v2 : !qcache, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>
  %o = loom.attention %q, %q2 {causal}
      : (tensor<1x4x2x16xf32>, !qcache) -> tensor<1x4x2x16xf32>
  %k = loom.kv.keys %q2 : !qcache -> tensor<1x2x64x16xf32>
  %v = loom.kv.values %q2 : !qcache -> tensor<1x2x64x16xf32>
  %n = loom.kv.length %q2 : !qcache -> tensor<1xi64>
  return %k, %v, %n, %o, %q2
      : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1xi64>,
        tensor<1x4x2x16xf32>, !qcache
}
