// Execution test: the key_scores result (probability each key received, summed over the
// queries and the query heads of its group), GQA 2:1, causal with Sq < Skv.
// Tolerance: rtol 1e-5, atol 1e-6 against the float64 NumPy reference (f32 compute;
// largest max_abs_err observed: 4.8e-07).

// RUN: %python -m attention_reference key_scores %t
// RUN: loom-run %s --entry key_scores --input %t/q.npy --input %t/k.npy --input %t/v.npy --compare %t/ref0.npy --compare %t/ref1.npy --rtol 1e-5 --atol 1e-6

func.func @key_scores(%q: tensor<1x4x6x8xf32>, %k: tensor<1x2x10x8xf32>, %v: tensor<1x2x10x8xf32>) -> (tensor<1x4x6x8xf32>, tensor<1x2x10xf32>) {
  %o, %s = loom.attention %q, %k, %v {causal}
      : (tensor<1x4x6x8xf32>, tensor<1x2x10x8xf32>, tensor<1x2x10x8xf32>) -> (tensor<1x4x6x8xf32>, tensor<1x2x10xf32>)
  return %o, %s : tensor<1x4x6x8xf32>, tensor<1x2x10xf32>
}
