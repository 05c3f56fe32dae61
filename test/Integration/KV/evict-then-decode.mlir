// Attention on a compressed cache: 12 entries evicted to 6 (window_sinks with
// 2 sinks: positions 0, 1, 8..11), 2 tokens appended (positions 12, 13), then
// 2 decode queries at positions 12 and 13 with causal, window = 4, sinks = 2.
// Masking must use the kept entries' original positions and `next`, not the
// storage slots and the length. Tolerance: rtol 1e-5, atol 1e-6 (f32 softmax).
//
// RUN: rm -rf %t && %python -m kv_reference evict_then_decode %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --input %t/in_3.npy --input %t/in_4.npy --compare %t/ref_0.npy \
// RUN:   --compare %t/ref_1.npy --compare %t/ref_2.npy --rtol 1e-5 --atol 1e-6 \
// RUN:   | FileCheck %s
// CHECK-COUNT-3: : ok

!cache = !loom.kv_cache<1x2x16x8xf32>

func.func @main(%k: tensor<1x2x12x8xf32>, %v: tensor<1x2x12x8xf32>,
                %k2: tensor<1x2x2x8xf32>, %v2: tensor<1x2x2x8xf32>,
                %q: tensor<1x4x2x8xf32>)
    -> (tensor<1x4x2x8xf32>, tensor<1x2x16xi64>, tensor<1xi64>) {
  %c0 = loom.kv.init : !cache
  %c1 = loom.kv.append %c0, %k, %v : !cache, tensor<1x2x12x8xf32>, tensor<1x2x12x8xf32>
  %c2 = loom.kv.evict window_sinks %c1 {budget = 6, sinks = 2} : !cache
  %c3 = loom.kv.append %c2, %k2, %v2 : !cache, tensor<1x2x2x8xf32>, tensor<1x2x2x8xf32>
  %o = loom.attention %q, %c3 {causal, window = 4, sinks = 2}
      : (tensor<1x4x2x8xf32>, !cache) -> tensor<1x4x2x8xf32>
  %p = loom.kv.positions %c3 : !cache -> tensor<1x2x16xi64>
  %n = loom.kv.length %c3 : !cache -> tensor<1xi64>
  return %o, %p, %n : tensor<1x4x2x8xf32>, tensor<1x2x16xi64>, tensor<1xi64>
}
