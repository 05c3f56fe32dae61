// Execution test: MQA (4 query heads on one kv head), causal, explicit scale.
// Tolerance: rtol 1e-5, atol 1e-6 against the float64 NumPy reference (f32 compute;
// largest max_abs_err observed: 1.8e-07).

// RUN: %python -m attention_reference mqa %t
// RUN: loom-run %s --entry mqa --input %t/q.npy --input %t/k.npy --input %t/v.npy --compare %t/ref0.npy --rtol 1e-5 --atol 1e-6

func.func @mqa(%q: tensor<1x4x12x8xf32>, %k: tensor<1x1x12x8xf32>, %v: tensor<1x1x12x8xf32>) -> tensor<1x4x12x8xf32> {
  %o = loom.attention %q, %k, %v {causal, scale = 0.5 : f32}
      : (tensor<1x4x12x8xf32>, tensor<1x1x12x8xf32>, tensor<1x1x12x8xf32>) -> tensor<1x4x12x8xf32>
  return %o : tensor<1x4x12x8xf32>
}
