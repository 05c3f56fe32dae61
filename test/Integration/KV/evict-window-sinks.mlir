// StreamingLLM eviction of 12 entries (appended as 7 + 5, two sequences) to a
// budget of 6 with 2 sinks: exactly positions 0, 1, 8, 9, 10, 11 survive, in
// order, with their keys and values; the length becomes 6.
// Tolerance: exact data movement (rtol 1e-5, atol 1e-6 are never used).
//
// RUN: rm -rf %t && %python -m kv_reference evict_window_sinks %t
// RUN: loom-run %s --entry main --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --input %t/in_3.npy --compare %t/ref_0.npy --compare %t/ref_1.npy \
// RUN:   --compare %t/ref_2.npy --compare %t/ref_3.npy --rtol 1e-5 --atol 1e-6 \
// RUN:   | FileCheck %s
// CHECK-COUNT-4: : ok
//
// A budget equal to the length (12) keeps everything as it was.
// RUN: loom-run %s --entry within_budget --input %t/in_0.npy --input %t/in_1.npy \
// RUN:   --input %t/in_2.npy --input %t/in_3.npy --compare %t/unchanged_0.npy \
// RUN:   --compare %t/unchanged_1.npy --compare %t/unchanged_2.npy \
// RUN:   --compare %t/unchanged_3.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s

!cache = !loom.kv_cache<2x2x16x4xf32>

func.func @within_budget(%k1: tensor<2x2x7x4xf32>, %k2: tensor<2x2x5x4xf32>,
                         %v1: tensor<2x2x7x4xf32>, %v2: tensor<2x2x5x4xf32>)
    -> (tensor<2x2x16xi64>, tensor<2x2x16x4xf32>, tensor<2x2x16x4xf32>,
        tensor<2xi64>) {
  %c0 = loom.kv.init : !cache
  %c1 = loom.kv.append %c0, %k1, %v1 : !cache, tensor<2x2x7x4xf32>, tensor<2x2x7x4xf32>
  %c2 = loom.kv.append %c1, %k2, %v2 : !cache, tensor<2x2x5x4xf32>, tensor<2x2x5x4xf32>
  %e = loom.kv.evict window_sinks %c2 {budget = 12, sinks = 2} : !cache
  %p = loom.kv.positions %e : !cache -> tensor<2x2x16xi64>
  %k = loom.kv.keys %e : !cache -> tensor<2x2x16x4xf32>
  %v = loom.kv.values %e : !cache -> tensor<2x2x16x4xf32>
  %n = loom.kv.length %e : !cache -> tensor<2xi64>
  return %p, %k, %v, %n
      : tensor<2x2x16xi64>, tensor<2x2x16x4xf32>, tensor<2x2x16x4xf32>, tensor<2xi64>
}

func.func @main(%k1: tensor<2x2x7x4xf32>, %k2: tensor<2x2x5x4xf32>,
                %v1: tensor<2x2x7x4xf32>, %v2: tensor<2x2x5x4xf32>)
    -> (tensor<2x2x16xi64>, tensor<2x2x16x4xf32>, tensor<2x2x16x4xf32>,
        tensor<2xi64>) {
  %c0 = loom.kv.init : !cache
  %c1 = loom.kv.append %c0, %k1, %v1 : !cache, tensor<2x2x7x4xf32>, tensor<2x2x7x4xf32>
  %c2 = loom.kv.append %c1, %k2, %v2 : !cache, tensor<2x2x5x4xf32>, tensor<2x2x5x4xf32>
  %e = loom.kv.evict window_sinks %c2 {budget = 6, sinks = 2} : !cache
  %p = loom.kv.positions %e : !cache -> tensor<2x2x16xi64>
  %k = loom.kv.keys %e : !cache -> tensor<2x2x16x4xf32>
  %v = loom.kv.values %e : !cache -> tensor<2x2x16x4xf32>
  %n = loom.kv.length %e : !cache -> tensor<2xi64>
  return %p, %k, %v, %n
      : tensor<2x2x16xi64>, tensor<2x2x16x4xf32>, tensor<2x2x16x4xf32>, tensor<2xi64>
}
