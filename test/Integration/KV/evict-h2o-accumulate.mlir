// H2O over a decode, scores carried with the cache: a 12-token prefill scored
// by its 12 queries is evicted to 8 entries (2 recent); kv.evict's kept_scores
// result gives those scores aligned with the kept entries. 2 tokens are
// appended and scored by 2 decode queries; their key_scores (over the
// compacted cache) are added to kept_scores, and the sum drives a second
// eviction to 6 entries (2 recent), which again returns its kept scores.
// The NumPy reference (kv_reference.py h2o_accumulate) accumulates each
// token's attention by original position, sequentially, and asserts that
// evicting by the last scores alone would keep other entries. Checks the
// accumulated scores before the second eviction, the kept scores after it,
// and positions, keys, values and length. rtol 1e-5, atol 1e-6 (f32 sums).
//
// RUN: rm -rf %t && %python -m kv_reference h2o_accumulate %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --input %t/in_3.npy --input %t/in_4.npy --input %t/in_5.npy \
// RUN:   --compare %t/ref_0.npy --compare %t/ref_1.npy --compare %t/ref_2.npy \
// RUN:   --compare %t/ref_3.npy --compare %t/ref_4.npy --compare %t/ref_5.npy \
// RUN:   --rtol 1e-5 --atol 1e-6 | FileCheck %s
// CHECK-COUNT-6: : ok

!cache = !loom.kv_cache<1x2x16x8xf32>

func.func @main(%k1: tensor<1x2x12x8xf32>, %v1: tensor<1x2x12x8xf32>,
                %q1: tensor<1x4x12x8xf32>, %k2: tensor<1x2x2x8xf32>,
                %v2: tensor<1x2x2x8xf32>, %q2: tensor<1x4x2x8xf32>)
    -> (tensor<1x2x16xf32>, tensor<1x2x16xf32>, tensor<1x2x16xi64>,
        tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1xi64>) {
  %c0 = loom.kv.init : !cache
  %c1 = loom.kv.append %c0, %k1, %v1 : !cache, tensor<1x2x12x8xf32>, tensor<1x2x12x8xf32>
  %o1, %s1 = loom.attention %q1, %c1 {causal}
      : (tensor<1x4x12x8xf32>, !cache) -> (tensor<1x4x12x8xf32>, tensor<1x2x16xf32>)
  %e1, %kept1 = loom.kv.evict h2o %c1 scores(%s1 : tensor<1x2x16xf32>)
      {budget = 8, recent = 2} : !cache, tensor<1x2x16xf32>
  %c2 = loom.kv.append %e1, %k2, %v2 : !cache, tensor<1x2x2x8xf32>, tensor<1x2x2x8xf32>
  %o2, %s2 = loom.attention %q2, %c2 {causal}
      : (tensor<1x4x2x8xf32>, !cache) -> (tensor<1x4x2x8xf32>, tensor<1x2x16xf32>)
  %init = tensor.empty() : tensor<1x2x16xf32>
  %acc = linalg.add ins(%kept1, %s2 : tensor<1x2x16xf32>, tensor<1x2x16xf32>)
      outs(%init : tensor<1x2x16xf32>) -> tensor<1x2x16xf32>
  %e2, %kept2 = loom.kv.evict h2o %c2 scores(%acc : tensor<1x2x16xf32>)
      {budget = 6, recent = 2} : !cache, tensor<1x2x16xf32>
  %p = loom.kv.positions %e2 : !cache -> tensor<1x2x16xi64>
  %k = loom.kv.keys %e2 : !cache -> tensor<1x2x16x8xf32>
  %v = loom.kv.values %e2 : !cache -> tensor<1x2x16x8xf32>
  %n = loom.kv.length %e2 : !cache -> tensor<1xi64>
  return %acc, %kept2, %p, %k, %v, %n
      : tensor<1x2x16xf32>, tensor<1x2x16xf32>, tensor<1x2x16xi64>,
        tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1xi64>
}
