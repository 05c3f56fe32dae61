// Execution test: dynamic top-p routing. Slot s is used iff s < k_max and the
// probability of slots 0..s-1 is below top_p: p = 0.5 with k_max = 3 (tokens use
// 1 to 3 experts), p = 0.8 with k_max = 4 renormalised, and p = 0.8 with a
// capacity factor of 0.75. The logits keep every cumulative probability 1e-4
// away from p, so rounding cannot change the count. Indices and dropped counts
// must match exactly; weights within rtol 1e-5, atol 1e-6.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m moe_reference route_top_p %t
// RUN: loom-run %s --entry p05 --input %t/logits.npy --compare %t/ref_p05_w.npy --compare %t/ref_p05_i.npy --compare %t/ref_p05_d.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry p08 --input %t/logits.npy --compare %t/ref_p08_w.npy --compare %t/ref_p08_i.npy --compare %t/ref_p08_d.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry p08c --input %t/logits.npy --compare %t/ref_p08c_w.npy --compare %t/ref_p08c_i.npy --compare %t/ref_p08c_d.npy --rtol 1e-5 --atol 1e-6

func.func @p05(%logits: tensor<16x8xf32>) -> (tensor<16x3xf32>, tensor<16x3xi64>, tensor<i64>) {
  %w, %i, %d = loom.moe.route %logits {mode = #loom.moe_routing<top_p>, top_p = 0.5 : f32, k_max = 3}
      : tensor<16x8xf32> -> (tensor<16x3xf32>, tensor<16x3xi64>, tensor<i64>)
  return %w, %i, %d : tensor<16x3xf32>, tensor<16x3xi64>, tensor<i64>
}

func.func @p08(%logits: tensor<16x8xf32>) -> (tensor<16x4xf32>, tensor<16x4xi64>, tensor<i64>) {
  %w, %i, %d = loom.moe.route %logits {mode = #loom.moe_routing<top_p>, top_p = 0.8 : f32, k_max = 4, renormalize}
      : tensor<16x8xf32> -> (tensor<16x4xf32>, tensor<16x4xi64>, tensor<i64>)
  return %w, %i, %d : tensor<16x4xf32>, tensor<16x4xi64>, tensor<i64>
}

func.func @p08c(%logits: tensor<16x8xf32>) -> (tensor<16x4xf32>, tensor<16x4xi64>, tensor<i64>) {
  %w, %i, %d = loom.moe.route %logits {mode = #loom.moe_routing<top_p>, top_p = 0.8 : f32, k_max = 4, capacity_factor = 0.75}
      : tensor<16x8xf32> -> (tensor<16x4xf32>, tensor<16x4xi64>, tensor<i64>)
  return %w, %i, %d : tensor<16x4xf32>, tensor<16x4xi64>, tensor<i64>
}
