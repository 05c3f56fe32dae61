// Execution test: loom.moe.route in the top-k modes on seeded random logits
// [16 tokens, 8 experts]: softmax_topk (k = 2, with and without renormalisation)
// and topk_softmax (k = 3), dropless. Indices and the dropped count must match
// exactly; weights within rtol 1e-5, atol 1e-6 (f32 softmax against float64).
// The logits keep a 1e-3 gap at the top-k boundary, so rounding cannot change
// the selection.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m moe_reference route_topk %t
// RUN: loom-run %s --entry softmax --input %t/logits.npy --compare %t/ref_softmax_w.npy --compare %t/ref_softmax_i.npy --compare %t/ref_softmax_d.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry renorm --input %t/logits.npy --compare %t/ref_renorm_w.npy --compare %t/ref_renorm_i.npy --compare %t/ref_renorm_d.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry topk_softmax --input %t/logits.npy --compare %t/ref_topk_softmax_w.npy --compare %t/ref_topk_softmax_i.npy --compare %t/ref_topk_softmax_d.npy --rtol 1e-5 --atol 1e-6

func.func @softmax(%logits: tensor<16x8xf32>) -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>) {
  %w, %i, %d = loom.moe.route %logits {k = 2}
      : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return %w, %i, %d : tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>
}

func.func @renorm(%logits: tensor<16x8xf32>) -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>) {
  %w, %i, %d = loom.moe.route %logits {k = 2, renormalize}
      : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return %w, %i, %d : tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>
}

func.func @topk_softmax(%logits: tensor<16x8xf32>) -> (tensor<16x3xf32>, tensor<16x3xi64>, tensor<i64>) {
  %w, %i, %d = loom.moe.route %logits {mode = #loom.moe_routing<topk_softmax>, k = 3}
      : tensor<16x8xf32> -> (tensor<16x3xf32>, tensor<16x3xi64>, tensor<i64>)
  return %w, %i, %d : tensor<16x3xf32>, tensor<16x3xi64>, tensor<i64>
}
