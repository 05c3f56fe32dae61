// SnapKV eviction after a 12-token prefill: the last 4 prompt queries (the
// observation window) score the keys through loom.attention's key_scores, the
// scores are max-pooled with kernel 3 over the 8 prefix keys, and budget 7
// keeps the 3 best prefix keys plus the 4-entry window (per head: positions
// 2, 3, 4 and 4, 5, 6; pooling makes exact ties, broken by the lowest index).
// Tolerance: rtol 1e-5, atol 1e-6 (f32 softmax sums).
//
// RUN: rm -rf %t && %python -m kv_reference evict_snapkv %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --compare %t/ref_0.npy --compare %t/ref_1.npy --compare %t/ref_2.npy \
// RUN:   --compare %t/ref_3.npy --compare %t/ref_4.npy --rtol 1e-5 --atol 1e-6 \
// RUN:   | FileCheck %s
// CHECK-COUNT-5: : ok

!cache = !loom.kv_cache<1x2x16x8xf32>

func.func @main(%k: tensor<1x2x12x8xf32>, %v: tensor<1x2x12x8xf32>,
                %q: tensor<1x4x4x8xf32>)
    -> (tensor<1x2x16xf32>, tensor<1x2x16xi64>, tensor<1x2x16x8xf32>,
        tensor<1x2x16x8xf32>, tensor<1xi64>) {
  %c0 = loom.kv.init : !cache
  %c1 = loom.kv.append %c0, %k, %v : !cache, tensor<1x2x12x8xf32>, tensor<1x2x12x8xf32>
  %o, %s = loom.attention %q, %c1 {causal}
      : (tensor<1x4x4x8xf32>, !cache) -> (tensor<1x4x4x8xf32>, tensor<1x2x16xf32>)
  %e = loom.kv.evict snapkv %c1 scores(%s : tensor<1x2x16xf32>)
      {budget = 7, window = 4, kernel = 3} : !cache
  %p = loom.kv.positions %e : !cache -> tensor<1x2x16xi64>
  %ke = loom.kv.keys %e : !cache -> tensor<1x2x16x8xf32>
  %ve = loom.kv.values %e : !cache -> tensor<1x2x16x8xf32>
  %n = loom.kv.length %e : !cache -> tensor<1xi64>
  return %s, %p, %ke, %ve, %n
      : tensor<1x2x16xf32>, tensor<1x2x16xi64>, tensor<1x2x16x8xf32>,
        tensor<1x2x16x8xf32>, tensor<1xi64>
}
