// Execution test: causal linear attention with each feature map (elu_plus_one, relu,
// identity), no carried state.
// Tolerance: rtol 1e-5, atol 1e-6 against the float64 NumPy reference (f32 compute;
// largest max_abs_err observed: 2.4e-07).

// RUN: %python -m attention_reference linear_feature_maps %t
// RUN: loom-run %s --entry elu_plus_one --input %t/q_elu_plus_one.npy --input %t/k_elu_plus_one.npy --input %t/v_elu_plus_one.npy --compare %t/ref0.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry relu --input %t/q_relu.npy --input %t/k_relu.npy --input %t/v_relu.npy --compare %t/ref1.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry identity --input %t/q_identity.npy --input %t/k_identity.npy --input %t/v_identity.npy --compare %t/ref2.npy --rtol 1e-5 --atol 1e-6

func.func @elu_plus_one(%q: tensor<2x2x12x8xf32>, %k: tensor<2x2x12x8xf32>, %v: tensor<2x2x12x4xf32>) -> tensor<2x2x12x4xf32> {
  %o = loom.linear_attention %q, %k, %v {causal}
      : (tensor<2x2x12x8xf32>, tensor<2x2x12x8xf32>, tensor<2x2x12x4xf32>) -> tensor<2x2x12x4xf32>
  return %o : tensor<2x2x12x4xf32>
}

func.func @relu(%q: tensor<2x2x12x8xf32>, %k: tensor<2x2x12x8xf32>, %v: tensor<2x2x12x4xf32>) -> tensor<2x2x12x4xf32> {
  %o = loom.linear_attention %q, %k, %v feature_map(relu) {causal}
      : (tensor<2x2x12x8xf32>, tensor<2x2x12x8xf32>, tensor<2x2x12x4xf32>) -> tensor<2x2x12x4xf32>
  return %o : tensor<2x2x12x4xf32>
}

func.func @identity(%q: tensor<2x2x12x8xf32>, %k: tensor<2x2x12x8xf32>, %v: tensor<2x2x12x4xf32>) -> tensor<2x2x12x4xf32> {
  %o = loom.linear_attention %q, %k, %v feature_map(identity) {causal}
      : (tensor<2x2x12x8xf32>, tensor<2x2x12x8xf32>, tensor<2x2x12x4xf32>) -> tensor<2x2x12x4xf32>
  return %o : tensor<2x2x12x4xf32>
}
