// Execution test: cumulative-threshold block selection (MoBA-style; own block kept first,
// its softmax mass counts): causal t = 0.5 with GQA 2:1; non-causal t = 0.9 with batch 2,
// block_q = 4, block_k = 8, Sq < Skv and scale 0.5; causal t = 1.0 (every candidate, the
// reference checks it equals dense causal attention); and t = 0.5 where key blocks 1 and 2
// are identical, so the tie must go to block 1 (the generator checks the tie decides).
// The generator also checks that no cumulative mass lies within 1e-4 of t and no two
// candidate scores within 1e-4 of each other, so f32 and float64 select the same blocks.
// Tolerance: rtol 1e-5, atol 1e-6 against the float64 NumPy reference (f32 compute).

// RUN: %python -m attention_variant_reference block_sparse_threshold %t
// RUN: loom-run %s --entry half_causal --input %t/q.npy --input %t/k.npy --input %t/v.npy --compare %t/ref0.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry ninety_offset --input %t/qb.npy --input %t/kb.npy --input %t/vb.npy --compare %t/ref1.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry full_causal --input %t/q.npy --input %t/k.npy --input %t/v.npy --compare %t/ref2.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry half_tie --input %t/q.npy --input %t/kt.npy --input %t/v.npy --compare %t/ref3.npy --rtol 1e-5 --atol 1e-6

func.func @half_causal(%q: tensor<1x4x32x8xf32>, %k: tensor<1x2x32x8xf32>, %v: tensor<1x2x32x8xf32>) -> tensor<1x4x32x8xf32> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, threshold = 0.5 : f32, causal}
      : (tensor<1x4x32x8xf32>, tensor<1x2x32x8xf32>, tensor<1x2x32x8xf32>) -> tensor<1x4x32x8xf32>
  return %o : tensor<1x4x32x8xf32>
}

func.func @ninety_offset(%q: tensor<2x4x16x8xf32>, %k: tensor<2x2x32x8xf32>, %v: tensor<2x2x32x8xf32>) -> tensor<2x4x16x8xf32> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 4, block_k = 8, threshold = 0.9 : f32, scale = 0.5 : f32}
      : (tensor<2x4x16x8xf32>, tensor<2x2x32x8xf32>, tensor<2x2x32x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

func.func @full_causal(%q: tensor<1x4x32x8xf32>, %k: tensor<1x2x32x8xf32>, %v: tensor<1x2x32x8xf32>) -> tensor<1x4x32x8xf32> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, threshold = 1.0 : f32, causal}
      : (tensor<1x4x32x8xf32>, tensor<1x2x32x8xf32>, tensor<1x2x32x8xf32>) -> tensor<1x4x32x8xf32>
  return %o : tensor<1x4x32x8xf32>
}

func.func @half_tie(%q: tensor<1x4x32x8xf32>, %k: tensor<1x2x32x8xf32>, %v: tensor<1x2x32x8xf32>) -> tensor<1x4x32x8xf32> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, threshold = 0.5 : f32}
      : (tensor<1x4x32x8xf32>, tensor<1x2x32x8xf32>, tensor<1x2x32x8xf32>) -> tensor<1x4x32x8xf32>
  return %o : tensor<1x4x32x8xf32>
}
