// Execution test: routing ties are broken by the lowest expert index. The
// logits are integers in {0, 1, 2} over 6 experts, so most tokens have equal
// logits across the top-k boundary; the NumPy reference ranks by a stable sort.
// Indices must match exactly; weights within rtol 1e-5, atol 1e-6.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m moe_reference route_ties %t
// RUN: loom-run %s --entry softmax --input %t/logits.npy --compare %t/ref_softmax_w.npy --compare %t/ref_softmax_i.npy --compare %t/ref_softmax_d.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry topk_softmax --input %t/logits.npy --compare %t/ref_topk_softmax_w.npy --compare %t/ref_topk_softmax_i.npy --compare %t/ref_topk_softmax_d.npy --rtol 1e-5 --atol 1e-6

func.func @softmax(%logits: tensor<16x6xf32>) -> (tensor<16x3xf32>, tensor<16x3xi64>, tensor<i64>) {
  %w, %i, %d = loom.moe.route %logits {k = 3}
      : tensor<16x6xf32> -> (tensor<16x3xf32>, tensor<16x3xi64>, tensor<i64>)
  return %w, %i, %d : tensor<16x3xf32>, tensor<16x3xi64>, tensor<i64>
}

func.func @topk_softmax(%logits: tensor<16x6xf32>) -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>) {
  %w, %i, %d = loom.moe.route %logits {mode = #loom.moe_routing<topk_softmax>, k = 2}
      : tensor<16x6xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return %w, %i, %d : tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>
}
