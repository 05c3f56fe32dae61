// Execution test: non-causal linear attention over a key sequence longer than the
// queries, with carried state in and out and eps = 1e-3; and relu without state.
// Tolerance: rtol 1e-5, atol 1e-6 against the float64 NumPy reference (f32 compute;
// largest max_abs_err observed: 1.9e-06).

// RUN: %python -m attention_reference linear_noncausal %t
// RUN: loom-run %s --entry noncausal --input %t/q.npy --input %t/k.npy --input %t/v.npy --input %t/s0.npy --input %t/z0.npy --compare %t/ref0.npy --compare %t/ref1.npy --compare %t/ref2.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry noncausal_relu --input %t/q.npy --input %t/k.npy --input %t/v.npy --compare %t/ref3.npy --rtol 1e-5 --atol 1e-6

func.func @noncausal(%q: tensor<2x2x6x8xf32>, %k: tensor<2x2x10x8xf32>, %v: tensor<2x2x10x4xf32>, %s: tensor<2x2x8x4xf32>, %z: tensor<2x2x8xf32>) -> (tensor<2x2x6x4xf32>, tensor<2x2x8x4xf32>, tensor<2x2x8xf32>) {
  %o, %s1, %z1 = loom.linear_attention %q, %k, %v state(%s, %z) {eps = 1.0e-3 : f32}
      : (tensor<2x2x6x8xf32>, tensor<2x2x10x8xf32>, tensor<2x2x10x4xf32>, tensor<2x2x8x4xf32>, tensor<2x2x8xf32>) -> (tensor<2x2x6x4xf32>, tensor<2x2x8x4xf32>, tensor<2x2x8xf32>)
  return %o, %s1, %z1 : tensor<2x2x6x4xf32>, tensor<2x2x8x4xf32>, tensor<2x2x8xf32>
}

func.func @noncausal_relu(%q: tensor<2x2x6x8xf32>, %k: tensor<2x2x10x8xf32>, %v: tensor<2x2x10x4xf32>) -> tensor<2x2x6x4xf32> {
  %o = loom.linear_attention %q, %k, %v feature_map(relu)
      : (tensor<2x2x6x8xf32>, tensor<2x2x10x8xf32>, tensor<2x2x10x4xf32>) -> tensor<2x2x6x4xf32>
  return %o : tensor<2x2x6x4xf32>
}
