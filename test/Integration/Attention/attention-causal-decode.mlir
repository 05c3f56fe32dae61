// Execution test: causal decode (Sq = 1) and a 4-token verify step (Sq = 4) against
// 20 keys: query i sits at position Skv - Sq + i. GQA 2:1.
// Tolerance: rtol 1e-5, atol 1e-6 against the float64 NumPy reference (f32 compute;
// largest max_abs_err observed: 1.8e-07).

// RUN: %python -m attention_reference causal_decode %t
// RUN: loom-run %s --entry decode --input %t/q1.npy --input %t/k.npy --input %t/v.npy --compare %t/ref0.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry verify --input %t/q4.npy --input %t/k.npy --input %t/v.npy --compare %t/ref1.npy --rtol 1e-5 --atol 1e-6

func.func @decode(%q: tensor<1x4x1x16xf32>, %k: tensor<1x2x20x16xf32>, %v: tensor<1x2x20x16xf32>) -> tensor<1x4x1x16xf32> {
  %o = loom.attention %q, %k, %v {causal}
      : (tensor<1x4x1x16xf32>, tensor<1x2x20x16xf32>, tensor<1x2x20x16xf32>) -> tensor<1x4x1x16xf32>
  return %o : tensor<1x4x1x16xf32>
}

func.func @verify(%q: tensor<1x4x4x16xf32>, %k: tensor<1x2x20x16xf32>, %v: tensor<1x2x20x16xf32>) -> tensor<1x4x4x16xf32> {
  %o = loom.attention %q, %k, %v {causal}
      : (tensor<1x4x4x16xf32>, tensor<1x2x20x16xf32>, tensor<1x2x20x16xf32>) -> tensor<1x4x4x16xf32>
  return %o : tensor<1x4x4x16xf32>
}
