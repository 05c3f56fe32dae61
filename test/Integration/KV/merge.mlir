// KVMerger on 14 entries whose keys come in runs of near-identical vectors
// (cosine > 0.99 within a run, unrelated across runs) with distinct integer
// scores: budget 7 keeps the 2 most recent entries and the 5 best-scored pivots;
// every run neighbour of a pivot is merged into it with Gaussian weights
// (sigma 1), the rest is evicted. The reference asserts at least 3 sets merge
// more than one key. The kept_scores result carries each kept entry's score,
// the sum over its merging set for a merged entry. Tolerance: rtol 1e-5,
// atol 1e-6 (f32 weighted means).
//
// RUN: rm -rf %t && %python -m kv_reference merge %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --compare %t/ref_0.npy --compare %t/ref_1.npy --compare %t/ref_2.npy \
// RUN:   --compare %t/ref_3.npy --compare %t/ref_4.npy --rtol 1e-5 --atol 1e-6 \
// RUN:   | FileCheck %s
// CHECK-COUNT-5: : ok

!cache = !loom.kv_cache<1x2x16x8xf32>

func.func @main(%k: tensor<1x2x14x8xf32>, %v: tensor<1x2x14x8xf32>,
                %scores: tensor<1x2x16xf32>)
    -> (tensor<1x2x16xi64>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>,
        tensor<1xi64>, tensor<1x2x16xf32>) {
  %c0 = loom.kv.init : !cache
  %c1 = loom.kv.append %c0, %k, %v : !cache, tensor<1x2x14x8xf32>, tensor<1x2x14x8xf32>
  %m, %kept = loom.kv.merge %c1 scores(%scores : tensor<1x2x16xf32>)
      {budget = 7, recent = 2, threshold = 0.9 : f32, sigma = 1.0 : f32}
      : !cache, tensor<1x2x16xf32>
  %p = loom.kv.positions %m : !cache -> tensor<1x2x16xi64>
  %km = loom.kv.keys %m : !cache -> tensor<1x2x16x8xf32>
  %vm = loom.kv.values %m : !cache -> tensor<1x2x16x8xf32>
  %n = loom.kv.length %m : !cache -> tensor<1xi64>
  return %p, %km, %vm, %n, %kept
      : tensor<1x2x16xi64>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1xi64>,
        tensor<1x2x16xf32>
}
