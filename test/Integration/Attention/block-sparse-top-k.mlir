// Execution test: dynamic top-k block selection (mean-pooled blocks, own block always
// kept): causal top-2 with GQA 2:1; non-causal top-3 with block_q = 4, block_k = 8 and
// Sq < Skv; and top-2 where key blocks 1 and 2 are identical, so the tie must go to
// block 1 (the reference differs if block 2 is taken).
// Tolerance: rtol 1e-5, atol 1e-6 against the float64 NumPy reference (f32 compute;
// largest max_abs_err observed: 3.6e-07).

// RUN: %python -m attention_reference block_sparse_topk %t
// RUN: loom-run %s --entry top2_causal --input %t/q.npy --input %t/k.npy --input %t/v.npy --compare %t/ref0.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry top3_offset --input %t/q16.npy --input %t/k.npy --input %t/v.npy --compare %t/ref1.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry top2_tie --input %t/q.npy --input %t/kt.npy --input %t/v.npy --compare %t/ref2.npy --rtol 1e-5 --atol 1e-6

func.func @top2_causal(%q: tensor<1x4x32x8xf32>, %k: tensor<1x2x32x8xf32>, %v: tensor<1x2x32x8xf32>) -> tensor<1x4x32x8xf32> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 2, causal}
      : (tensor<1x4x32x8xf32>, tensor<1x2x32x8xf32>, tensor<1x2x32x8xf32>) -> tensor<1x4x32x8xf32>
  return %o : tensor<1x4x32x8xf32>
}

func.func @top3_offset(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x32x8xf32>, %v: tensor<1x2x32x8xf32>) -> tensor<1x4x16x8xf32> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 4, block_k = 8, top_k = 3}
      : (tensor<1x4x16x8xf32>, tensor<1x2x32x8xf32>, tensor<1x2x32x8xf32>) -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

func.func @top2_tie(%q: tensor<1x4x32x8xf32>, %k: tensor<1x2x32x8xf32>, %v: tensor<1x2x32x8xf32>) -> tensor<1x4x32x8xf32> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 2}
      : (tensor<1x4x32x8xf32>, tensor<1x2x32x8xf32>, tensor<1x2x32x8xf32>) -> tensor<1x4x32x8xf32>
  return %o : tensor<1x4x32x8xf32>
}
