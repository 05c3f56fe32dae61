// H2O eviction driven by the key_scores result of loom.attention reading the
// cache (12-token causal prefill, GQA 4:2): budget_fraction 0.5 keeps 6 of 12,
// the 2 most recent plus the 4 keys with the largest accumulated attention
// (different per head). Checks the scores, then positions, keys, values and
// length after eviction. Tolerance: rtol 1e-5, atol 1e-6 (f32 softmax sums);
// the reference asserts the top-4 choice has a margin above 1e-4.
//
// RUN: rm -rf %t && %python -m kv_reference evict_h2o %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --compare %t/ref_0.npy --compare %t/ref_1.npy --compare %t/ref_2.npy \
// RUN:   --compare %t/ref_3.npy --compare %t/ref_4.npy --rtol 1e-5 --atol 1e-6 \
// RUN:   | FileCheck %s
// CHECK-COUNT-5: : ok

!cache = !loom.kv_cache<1x2x16x8xf32>

func.func @main(%k: tensor<1x2x12x8xf32>, %v: tensor<1x2x12x8xf32>,
                %q: tensor<1x4x12x8xf32>)
    -> (tensor<1x2x16xf32>, tensor<1x2x16xi64>, tensor<1x2x16x8xf32>,
        tensor<1x2x16x8xf32>, tensor<1xi64>) {
  %c0 = loom.kv.init : !cache
  %c1 = loom.kv.append %c0, %k, %v : !cache, tensor<1x2x12x8xf32>, tensor<1x2x12x8xf32>
  %o, %s = loom.attention %q, %c1 {causal}
      : (tensor<1x4x12x8xf32>, !cache) -> (tensor<1x4x12x8xf32>, tensor<1x2x16xf32>)
  %e = loom.kv.evict h2o %c1 scores(%s : tensor<1x2x16xf32>)
      {budget_fraction = 0.5 : f32, recent = 2} : !cache
  %p = loom.kv.positions %e : !cache -> tensor<1x2x16xi64>
  %ke = loom.kv.keys %e : !cache -> tensor<1x2x16x8xf32>
  %ve = loom.kv.values %e : !cache -> tensor<1x2x16x8xf32>
  %n = loom.kv.length %e : !cache -> tensor<1xi64>
  return %s, %p, %ke, %ve, %n
      : tensor<1x2x16xf32>, tensor<1x2x16xi64>, tensor<1x2x16x8xf32>,
        tensor<1x2x16x8xf32>, tensor<1xi64>
}
