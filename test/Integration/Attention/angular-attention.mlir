// Execution test: Castling-ViT angular linear attention (loom.angular_attention):
// non-causal with the depthwise-conv branch (K = 3, GQA 4:2, batch 2, 17 tokens);
// Sq = 8 < Skv = 12 with Dv != D and one all-zero query (eps: weight 1/2 on every key);
// causal with GQA 4:1; and the conv branch with Castling-ViT's default K = 9.
// Tolerance: rtol 1e-5, atol 1e-6 against the float64 NumPy reference (f32 compute).

// RUN: %python -m attention_variant_reference angular %t
// RUN: loom-run %s --entry local_gqa --input %t/q.npy --input %t/k.npy --input %t/v.npy --input %t/w3.npy --compare %t/ref0.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry cross --input %t/q8.npy --input %t/k12.npy --input %t/v12.npy --compare %t/ref1.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry causal --input %t/qc.npy --input %t/kc.npy --input %t/vc.npy --compare %t/ref2.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry local9 --input %t/q2.npy --input %t/k2.npy --input %t/v2.npy --input %t/w9.npy --compare %t/ref3.npy --rtol 1e-5 --atol 1e-6

func.func @local_gqa(%q: tensor<2x4x17x8xf32>, %k: tensor<2x2x17x8xf32>, %v: tensor<2x2x17x8xf32>, %w: tensor<2x3xf32>) -> tensor<2x4x17x8xf32> {
  %o = loom.angular_attention %q, %k, %v local(%w)
      : (tensor<2x4x17x8xf32>, tensor<2x2x17x8xf32>, tensor<2x2x17x8xf32>, tensor<2x3xf32>) -> tensor<2x4x17x8xf32>
  return %o : tensor<2x4x17x8xf32>
}

func.func @cross(%q: tensor<1x2x8x8xf32>, %k: tensor<1x2x12x8xf32>, %v: tensor<1x2x12x4xf32>) -> tensor<1x2x8x4xf32> {
  %o = loom.angular_attention %q, %k, %v
      : (tensor<1x2x8x8xf32>, tensor<1x2x12x8xf32>, tensor<1x2x12x4xf32>) -> tensor<1x2x8x4xf32>
  return %o : tensor<1x2x8x4xf32>
}

func.func @causal(%q: tensor<1x4x16x8xf32>, %k: tensor<1x1x16x8xf32>, %v: tensor<1x1x16x8xf32>) -> tensor<1x4x16x8xf32> {
  %o = loom.angular_attention %q, %k, %v {causal}
      : (tensor<1x4x16x8xf32>, tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32>) -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

func.func @local9(%q: tensor<1x2x17x16xf32>, %k: tensor<1x2x17x16xf32>, %v: tensor<1x2x17x16xf32>, %w: tensor<2x9xf32>) -> tensor<1x2x17x16xf32> {
  %o = loom.angular_attention %q, %k, %v local(%w)
      : (tensor<1x2x17x16xf32>, tensor<1x2x17x16xf32>, tensor<1x2x17x16xf32>, tensor<2x9xf32>) -> tensor<1x2x17x16xf32>
  return %o : tensor<1x2x17x16xf32>
}
