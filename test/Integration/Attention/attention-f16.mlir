// Execution test: f16 storage with f32 compute for loom.attention (GQA 2:1, causal),
// loom.linear_attention (causal, f32 carried state) and loom.block_sparse_attention
// (top-2, causal). Tolerance: rtol 2e-3 (one f16 ulp is ~9.8e-4 relative; result and
// reference are both rounded to f16), atol 1e-4, also applied to the f32 state results
// of the same call (their f32 path is checked at rtol 1e-5 elsewhere). Largest
// max_abs_err observed: 9.5e-07.

// RUN: %python -m attention_reference half_precision %t
// RUN: loom-run %s --entry softmax --input %t/q.npy --input %t/k.npy --input %t/v.npy --compare %t/ref0.npy --rtol 2e-3 --atol 1e-4
// RUN: loom-run %s --entry linear --input %t/lq.npy --input %t/lk.npy --input %t/lv.npy --input %t/s0.npy --input %t/z0.npy --compare %t/ref1.npy --compare %t/ref2.npy --compare %t/ref3.npy --rtol 2e-3 --atol 1e-4
// RUN: loom-run %s --entry block_sparse --input %t/q.npy --input %t/k.npy --input %t/v.npy --compare %t/ref4.npy --rtol 2e-3 --atol 1e-4

func.func @softmax(%q: tensor<1x4x16x8xf16>, %k: tensor<1x2x16x8xf16>, %v: tensor<1x2x16x8xf16>) -> tensor<1x4x16x8xf16> {
  %o = loom.attention %q, %k, %v {causal}
      : (tensor<1x4x16x8xf16>, tensor<1x2x16x8xf16>, tensor<1x2x16x8xf16>) -> tensor<1x4x16x8xf16>
  return %o : tensor<1x4x16x8xf16>
}

func.func @linear(%q: tensor<1x2x8x8xf16>, %k: tensor<1x2x8x8xf16>, %v: tensor<1x2x8x8xf16>, %s: tensor<1x2x8x8xf32>, %z: tensor<1x2x8xf32>)
    -> (tensor<1x2x8x8xf16>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>) {
  %o, %s1, %z1 = loom.linear_attention %q, %k, %v state(%s, %z) {causal}
      : (tensor<1x2x8x8xf16>, tensor<1x2x8x8xf16>, tensor<1x2x8x8xf16>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
      -> (tensor<1x2x8x8xf16>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
  return %o, %s1, %z1 : tensor<1x2x8x8xf16>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>
}

func.func @block_sparse(%q: tensor<1x4x16x8xf16>, %k: tensor<1x2x16x8xf16>, %v: tensor<1x2x16x8xf16>) -> tensor<1x4x16x8xf16> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 4, block_k = 4, top_k = 2, causal}
      : (tensor<1x4x16x8xf16>, tensor<1x2x16x8xf16>, tensor<1x2x16x8xf16>) -> tensor<1x4x16x8xf16>
  return %o : tensor<1x4x16x8xf16>
}
