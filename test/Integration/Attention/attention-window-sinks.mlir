// Execution test: sliding window of 6 with 2 attention sinks, causal prefill and a
// 3-token step at the end of a 24-token sequence.
// Tolerance: rtol 1e-5, atol 1e-6 against the float64 NumPy reference (f32 compute;
// largest max_abs_err observed: 4.8e-07).

// RUN: %python -m attention_reference window_sinks %t
// RUN: loom-run %s --entry prefill --input %t/q.npy --input %t/k.npy --input %t/v.npy --compare %t/ref0.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry step --input %t/q3.npy --input %t/k.npy --input %t/v.npy --compare %t/ref1.npy --rtol 1e-5 --atol 1e-6

func.func @prefill(%q: tensor<1x2x24x8xf32>, %k: tensor<1x2x24x8xf32>, %v: tensor<1x2x24x8xf32>) -> tensor<1x2x24x8xf32> {
  %o = loom.attention %q, %k, %v {causal, window = 6, sinks = 2}
      : (tensor<1x2x24x8xf32>, tensor<1x2x24x8xf32>, tensor<1x2x24x8xf32>) -> tensor<1x2x24x8xf32>
  return %o : tensor<1x2x24x8xf32>
}

func.func @step(%q: tensor<1x2x3x8xf32>, %k: tensor<1x2x24x8xf32>, %v: tensor<1x2x24x8xf32>) -> tensor<1x2x3x8xf32> {
  %o = loom.attention %q, %k, %v {causal, window = 6, sinks = 2}
      : (tensor<1x2x3x8xf32>, tensor<1x2x24x8xf32>, tensor<1x2x24x8xf32>) -> tensor<1x2x3x8xf32>
  return %o : tensor<1x2x3x8xf32>
}
