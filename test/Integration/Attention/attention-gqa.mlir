// Execution test: GQA 4:1 (8 query heads on 2 kv heads), batch 2, Dv != D, non-causal.
// Tolerance: rtol 1e-5, atol 1e-6 against the float64 NumPy reference (f32 compute;
// largest max_abs_err observed: 4.8e-07).

// RUN: %python -m attention_reference gqa %t
// RUN: loom-run %s --entry gqa --input %t/q.npy --input %t/k.npy --input %t/v.npy --compare %t/ref0.npy --rtol 1e-5 --atol 1e-6

func.func @gqa(%q: tensor<2x8x16x16xf32>, %k: tensor<2x2x16x16xf32>, %v: tensor<2x2x16x8xf32>) -> tensor<2x8x16x8xf32> {
  %o = loom.attention %q, %k, %v
      : (tensor<2x8x16x16xf32>, tensor<2x2x16x16xf32>, tensor<2x2x16x8xf32>) -> tensor<2x8x16x8xf32>
  return %o : tensor<2x8x16x8xf32>
}
