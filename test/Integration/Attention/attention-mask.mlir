// Execution test: additive masks broadcast over heads ([B,1,Sq,Skv]) and over batch and
// queries ([1,Hq,1,Skv], with causal at an offset). Several rows (and one whole head)
// are fully masked with -inf: they must give zeros, not NaN (a NaN fails --compare).
// Tolerance: rtol 1e-5, atol 1e-6 against the float64 NumPy reference (f32 compute;
// largest max_abs_err observed: 2.7e-07).

// RUN: %python -m attention_reference additive_mask %t
// RUN: loom-run %s --entry mask_rows --input %t/q.npy --input %t/k.npy --input %t/v.npy --input %t/mask.npy --compare %t/ref0.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry mask_heads --input %t/q.npy --input %t/k.npy --input %t/v.npy --input %t/head_mask.npy --compare %t/ref1.npy --rtol 1e-5 --atol 1e-6

func.func @mask_rows(%q: tensor<2x4x8x8xf32>, %k: tensor<2x2x12x8xf32>, %v: tensor<2x2x12x8xf32>, %mask: tensor<2x1x8x12xf32>) -> tensor<2x4x8x8xf32> {
  %o = loom.attention %q, %k, %v mask(%mask)
      : (tensor<2x4x8x8xf32>, tensor<2x2x12x8xf32>, tensor<2x2x12x8xf32>, tensor<2x1x8x12xf32>) -> tensor<2x4x8x8xf32>
  return %o : tensor<2x4x8x8xf32>
}

func.func @mask_heads(%q: tensor<2x4x8x8xf32>, %k: tensor<2x2x12x8xf32>, %v: tensor<2x2x12x8xf32>, %mask: tensor<1x4x1x12xf32>) -> tensor<2x4x8x8xf32> {
  %o = loom.attention %q, %k, %v mask(%mask) {causal}
      : (tensor<2x4x8x8xf32>, tensor<2x2x12x8xf32>, tensor<2x2x12x8xf32>, tensor<1x4x1x12xf32>) -> tensor<2x4x8x8xf32>
  return %o : tensor<2x4x8x8xf32>
}
