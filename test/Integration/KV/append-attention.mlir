// Prefill 5 tokens, then decode 2 (causal, so the first decode query at
// position 5 must not see the key at position 6): attention reading the cache
// equals attention on the concatenated tensors, and the accessors return the
// appended entries with zeroed (positions: -1) slots beyond the length.
// Tolerance: rtol 1e-5, atol 1e-6 (f32 softmax, summation order differs).
//
// RUN: rm -rf %t && %python -m kv_reference append_attention %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --input %t/in_3.npy --input %t/in_4.npy --input %t/in_5.npy \
// RUN:   --input %t/in_6.npy \
// RUN:   --compare %t/ref_0.npy --compare %t/ref_1.npy --compare %t/ref_2.npy \
// RUN:   --compare %t/ref_3.npy --compare %t/ref_4.npy --compare %t/ref_5.npy \
// RUN:   --rtol 1e-5 --atol 1e-6 | FileCheck %s
// CHECK-COUNT-6: : ok

!cache = !loom.kv_cache<1x2x16x8xf32>

func.func @main(%k1: tensor<1x2x5x8xf32>, %v1: tensor<1x2x5x8xf32>,
                %k2: tensor<1x2x2x8xf32>, %v2: tensor<1x2x2x8xf32>,
                %q: tensor<1x4x2x8xf32>,
                // The concatenations of k1, k2 and of v1, v2.
                %k: tensor<1x2x7x8xf32>, %v: tensor<1x2x7x8xf32>)
    -> (tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x2x16x8xf32>,
        tensor<1x2x16x8xf32>, tensor<1x2x16xi64>, tensor<1xi64>) {
  %c0 = loom.kv.init : !cache
  %c1 = loom.kv.append %c0, %k1, %v1
      : !cache, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>
  %c2 = loom.kv.append %c1, %k2, %v2
      : !cache, tensor<1x2x2x8xf32>, tensor<1x2x2x8xf32>
  %from_cache = loom.attention %q, %c2 {causal}
      : (tensor<1x4x2x8xf32>, !cache) -> tensor<1x4x2x8xf32>
  %from_tensors = loom.attention %q, %k, %v {causal}
      : (tensor<1x4x2x8xf32>, tensor<1x2x7x8xf32>, tensor<1x2x7x8xf32>)
      -> tensor<1x4x2x8xf32>
  %keys = loom.kv.keys %c2 : !cache -> tensor<1x2x16x8xf32>
  %values = loom.kv.values %c2 : !cache -> tensor<1x2x16x8xf32>
  %positions = loom.kv.positions %c2 : !cache -> tensor<1x2x16xi64>
  %length = loom.kv.length %c2 : !cache -> tensor<1xi64>
  return %from_cache, %from_tensors, %keys, %values, %positions, %length
      : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x2x16x8xf32>,
        tensor<1x2x16x8xf32>, tensor<1x2x16xi64>, tensor<1xi64>
}
