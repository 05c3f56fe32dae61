// Execution test: block-sparse attention with a static block mask, GQA 2:1. Query
// block 2 sees no block (zeros, not NaN). Second case: causal, block_q = 4 != block_k = 8,
// Sq = 16 < Skv = 32 (queries at positions 16..31), where causality and the mask
// combine: query block 0 (positions 16..19) only selects key block 3 (keys 24..31),
// all in its future, so its rows have no visible key and must be zeros.
// Tolerance: rtol 1e-5, atol 1e-6 against the float64 NumPy reference (f32 compute;
// largest max_abs_err observed: 2.1e-07).

// RUN: %python -m attention_reference block_sparse_mask %t
// RUN: loom-run %s --entry static_mask --input %t/q.npy --input %t/k.npy --input %t/v.npy --compare %t/ref0.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry static_mask_causal --input %t/q16.npy --input %t/k.npy --input %t/v.npy --compare %t/ref1.npy --rtol 1e-5 --atol 1e-6

func.func @static_mask(%q: tensor<1x4x32x8xf32>, %k: tensor<1x2x32x8xf32>, %v: tensor<1x2x32x8xf32>) -> tensor<1x4x32x8xf32> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8,
      block_mask = dense<[[true, false, false, false], [true, true, false, false], [false, false, false, false], [true, false, true, true]]> : tensor<4x4xi1>}
      : (tensor<1x4x32x8xf32>, tensor<1x2x32x8xf32>, tensor<1x2x32x8xf32>) -> tensor<1x4x32x8xf32>
  return %o : tensor<1x4x32x8xf32>
}

func.func @static_mask_causal(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x32x8xf32>, %v: tensor<1x2x32x8xf32>) -> tensor<1x4x16x8xf32> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 4, block_k = 8, causal,
      block_mask = dense<[[false, false, false, true], [false, true, false, true], [true, true, true, false], [false, false, false, true]]> : tensor<4x4xi1>}
      : (tensor<1x4x16x8xf32>, tensor<1x2x32x8xf32>, tensor<1x2x32x8xf32>) -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}
