// RUN: loom-opt %s -split-input-file --convert-loom-to-linalg | FileCheck %s

// Eviction computes a keep mask, then compacts keys, values and positions with
// it; `next` is forwarded unchanged (eviction does not change positions).

!cache = !loom.kv_cache<1x2x16x4xf32>

// A fractional budget is floor(f * length) in f32; snapkv max-pools the
// scores (|i - j| <= kernel / 2) before ranking them.
// CHECK-LABEL: func.func @snapkv
// CHECK-SAME: %[[LEN:[^:]*]]: tensor<1xi64>, %[[NEXT:[^:]*]]: tensor<1xi64>, %[[S:[^:]*]]: tensor<1x2x16xf32>)
// CHECK: %[[BUDGET:.*]] = linalg.generic {{.*}} ins(%[[LEN]] : tensor<1xi64>)
// CHECK:   arith.constant 5.000000e-01 : f32
// CHECK:   math.floor
// CHECK: linalg.generic {{.*}} ins(%[[S]], %{{.*}} : tensor<1x2x16xf32>, tensor<1xi64>)
// CHECK:   math.absi
// CHECK:   arith.constant 1 : i64
// CHECK: %[[KEEP:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x16xi1>)
// CHECK: %[[KEYS:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[KEEP]], %{{.*}} : tensor<1x2x16x4xf32>, tensor<1x2x16xi1>, tensor<1x2x16xi64>)
// CHECK: return %[[KEYS]], %{{.*}}, %{{.*}}, %{{.*}}, %[[NEXT]]
func.func @snapkv(%c: !cache, %s: tensor<1x2x16xf32>) -> !cache {
  %0 = loom.kv.evict snapkv %c scores(%s : tensor<1x2x16xf32>)
      {budget_fraction = 0.5 : f32, window = 2, kernel = 3} : !cache
  return %0 : !cache
}

// -----

// window_sinks needs no scores and no ranking: no reduction over a second
// entry index happens before the keep mask.
// CHECK-LABEL: func.func @window_sinks
// CHECK: arith.constant 6 : i64
// CHECK-NOT: "reduction"
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x16xi1>)
func.func @window_sinks(%c: !loom.kv_cache<1x2x16x4xf32>) -> !loom.kv_cache<1x2x16x4xf32> {
  %0 = loom.kv.evict window_sinks %c {budget = 6, sinks = 2} : !loom.kv_cache<1x2x16x4xf32>
  return %0 : !loom.kv_cache<1x2x16x4xf32>
}

// -----

// KVMerger: Gaussian weights exp(-d^2 / (2 sigma^2)) with sigma = 2, i.e. a
// factor of -1/8, and a cosine threshold compare.
// CHECK-LABEL: func.func @merge
// CHECK: arith.cmpf oge, %{{.*}}, %{{.*}} : f32
// CHECK: arith.constant -1.250000e-01 : f32
// CHECK: math.exp
// CHECK: return
func.func @merge(%c: !loom.kv_cache<1x2x16x4xf32>, %s: tensor<1x2x16xf32>) -> !loom.kv_cache<1x2x16x4xf32> {
  %0 = loom.kv.merge %c scores(%s : tensor<1x2x16xf32>)
      {budget = 8, recent = 2, threshold = 0.75 : f32, sigma = 2.0 : f32} : !loom.kv_cache<1x2x16x4xf32>
  return %0 : !loom.kv_cache<1x2x16x4xf32>
}

// -----

// kept_scores: the scores operand compacted like the entries (fill 0), one
// more result next to the cache's five tensors.

// CHECK-LABEL: func.func @h2o_kept_scores
// CHECK-SAME: (%{{.*}}: tensor<1x2x16x8xf32>, %{{.*}}: tensor<1x2x16x8xf32>, %{{.*}}: tensor<1x2x16xi64>, %{{.*}}: tensor<1xi64>, %{{.*}}: tensor<1xi64>, %[[S:[^:]*]]: tensor<1x2x16xf32>)
// CHECK-SAME: -> (tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1x2x16xf32>)
// CHECK: %[[KEPT:.*]] = linalg.generic {{.*}} ins(%[[S]], {{.*}}) outs({{.*}} : tensor<1x2x16xf32>)
// CHECK: return {{.*}}, %[[KEPT]] :
func.func @h2o_kept_scores(%c: !loom.kv_cache<1x2x16x8xf32>, %s: tensor<1x2x16xf32>)
    -> (!loom.kv_cache<1x2x16x8xf32>, tensor<1x2x16xf32>) {
  %e, %k = loom.kv.evict h2o %c scores(%s : tensor<1x2x16xf32>) {budget = 8, recent = 2}
      : !loom.kv_cache<1x2x16x8xf32>, tensor<1x2x16xf32>
  return %e, %k : !loom.kv_cache<1x2x16x8xf32>, tensor<1x2x16xf32>
}
