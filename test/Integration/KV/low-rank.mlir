// MatryoshkaKV-style low-rank KV: keys and values are projected on per-head
// orthonormal bases (D = 16 to r = 4 for keys, 6 for values) by loom.kv.project
// before they are cached, so the cache holds 4 + 6 instead of 32 channels per
// head and token. 10 + 2 tokens are appended; 2 causal decode queries are
// projected with the key basis (query heads 0,1 -> basis 0, 2,3 -> basis 1),
// attention runs in the reduced space with the full-dimension scale 1/sqrt(16),
// and its output is reconstructed with the value basis. Checked against NumPy
// full-dimension attention over the reconstructed keys P P^T k and values
// P P^T v (kv_reference.py low_rank), rtol 1e-4, atol 1e-5 (different
// association of the f32 sums). The reference asserts the projection changes
// the output (by more than 1e-2 from full-rank attention).
//
// RUN: rm -rf %t && %python -m kv_reference low_rank %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --input %t/in_3.npy --input %t/in_4.npy --input %t/in_5.npy \
// RUN:   --input %t/in_6.npy --compare %t/ref_0.npy --rtol 1e-4 --atol 1e-5 \
// RUN:   | FileCheck %s
// CHECK: result0: 1x4x2x16 f32 {{.*}}: ok

!cache = !loom.kv_cache<1x2x16x4xf32, value_dim = 6>

func.func @main(%k1: tensor<1x2x10x16xf32>, %v1: tensor<1x2x10x16xf32>,
                %k2: tensor<1x2x2x16xf32>, %v2: tensor<1x2x2x16xf32>,
                %q: tensor<1x4x2x16xf32>, %pk: tensor<2x16x4xf32>,
                %pv: tensor<2x16x6xf32>) -> tensor<1x4x2x16xf32> {
  %k1r = loom.kv.project %k1, %pk : tensor<1x2x10x16xf32>, tensor<2x16x4xf32> -> tensor<1x2x10x4xf32>
  %v1r = loom.kv.project %v1, %pv : tensor<1x2x10x16xf32>, tensor<2x16x6xf32> -> tensor<1x2x10x6xf32>
  %c0 = loom.kv.init : !cache
  %c1 = loom.kv.append %c0, %k1r, %v1r : !cache, tensor<1x2x10x4xf32>, tensor<1x2x10x6xf32>
  %k2r = loom.kv.project %k2, %pk : tensor<1x2x2x16xf32>, tensor<2x16x4xf32> -> tensor<1x2x2x4xf32>
  %v2r = loom.kv.project %v2, %pv : tensor<1x2x2x16xf32>, tensor<2x16x6xf32> -> tensor<1x2x2x6xf32>
  %c2 = loom.kv.append %c1, %k2r, %v2r : !cache, tensor<1x2x2x4xf32>, tensor<1x2x2x6xf32>
  %qr = loom.kv.project %q, %pk : tensor<1x4x2x16xf32>, tensor<2x16x4xf32> -> tensor<1x4x2x4xf32>
  %or = loom.attention %qr, %c2 {causal, scale = 0.25 : f32}
      : (tensor<1x4x2x4xf32>, !cache) -> tensor<1x4x2x6xf32>
  %o = loom.kv.project %or, %pv {reconstruct}
      : tensor<1x4x2x6xf32>, tensor<2x16x6xf32> -> tensor<1x4x2x16xf32>
  return %o : tensor<1x4x2x16xf32>
}
