// Execution test: loom.moe.ffn with MoE++ experts [ffn, zero, ffn, copy,
// constant, ffn] and exact-GELU FFN experts, routed top-2 by topk_softmax, and
// the same layer with dynamic top-p routing (p = 0.6, k_max = 3, renormalised),
// against the dense reference. Every expert kind receives tokens. Tolerance
// rtol 1e-4, atol 1e-5 against float64; the logits keep a margin at the top-k
// and top-p boundaries so the f32 router makes the same choices.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m moe_reference ffn_moepp %t
// RUN: loom-run %s --entry moepp --input %t/x.npy --input %t/wg.npy --input %t/w1.npy --input %t/w2.npy --input %t/constants.npy --compare %t/ref_moepp.npy --rtol 1e-4 --atol 1e-5
// RUN: loom-run %s --entry top_p --input %t/x.npy --input %t/wg.npy --input %t/w1.npy --input %t/w2.npy --input %t/constants.npy --compare %t/ref_top_p.npy --rtol 1e-4 --atol 1e-5

func.func @moepp(%x: tensor<16x16xf32>, %wg: tensor<16x6xf32>, %w1: tensor<3x16x32xf32>,
                 %w2: tensor<3x32x16xf32>, %c: tensor<1x16xf32>) -> tensor<16x16xf32> {
  %out, %d = loom.moe.ffn %x, %wg weights(%w1, %w2) constants(%c)
      {mode = #loom.moe_routing<topk_softmax>, k = 2, activation = #loom.moe_activation<gelu>,
       kinds = [#loom.moe_expert<ffn>, #loom.moe_expert<zero>, #loom.moe_expert<ffn>,
                #loom.moe_expert<copy>, #loom.moe_expert<constant>, #loom.moe_expert<ffn>]}
      : (tensor<16x16xf32>, tensor<16x6xf32>, tensor<3x16x32xf32>, tensor<3x32x16xf32>,
         tensor<1x16xf32>) -> (tensor<16x16xf32>, tensor<i64>)
  return %out : tensor<16x16xf32>
}

func.func @top_p(%x: tensor<16x16xf32>, %wg: tensor<16x6xf32>, %w1: tensor<3x16x32xf32>,
                 %w2: tensor<3x32x16xf32>, %c: tensor<1x16xf32>) -> tensor<16x16xf32> {
  %out, %d = loom.moe.ffn %x, %wg weights(%w1, %w2) constants(%c)
      {mode = #loom.moe_routing<top_p>, top_p = 0.6 : f32, k_max = 3, renormalize,
       activation = #loom.moe_activation<gelu>,
       kinds = [#loom.moe_expert<ffn>, #loom.moe_expert<zero>, #loom.moe_expert<ffn>,
                #loom.moe_expert<copy>, #loom.moe_expert<constant>, #loom.moe_expert<ffn>]}
      : (tensor<16x16xf32>, tensor<16x6xf32>, tensor<3x16x32xf32>, tensor<3x32x16xf32>,
         tensor<1x16xf32>) -> (tensor<16x16xf32>, tensor<i64>)
  return %out : tensor<16x16xf32>
}
