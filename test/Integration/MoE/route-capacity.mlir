// Execution test: capacity = ceil(capacity_factor * T * K / E); assignments
// beyond an expert's capacity are dropped in token order (index -1, weight 0)
// and counted. 16 tokens, 4 experts, expert 0 made popular so that it
// overflows; capacity factors 1.0 (capacity 8), 0.5 with renormalisation
// before dropping (capacity 4) and 1.25 with top-1 (capacity 5). The reference
// walks the tokens sequentially; every case drops assignments. Indices and
// dropped counts must match exactly; weights within rtol 1e-5, atol 1e-6.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m moe_reference route_capacity %t
// RUN: loom-run %s --entry c1 --input %t/logits.npy --compare %t/ref_c1_w.npy --compare %t/ref_c1_i.npy --compare %t/ref_c1_d.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry c05 --input %t/logits.npy --compare %t/ref_c05_w.npy --compare %t/ref_c05_i.npy --compare %t/ref_c05_d.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry c125 --input %t/logits.npy --compare %t/ref_c125_w.npy --compare %t/ref_c125_i.npy --compare %t/ref_c125_d.npy --rtol 1e-5 --atol 1e-6

func.func @c1(%logits: tensor<16x4xf32>) -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>) {
  %w, %i, %d = loom.moe.route %logits {k = 2, capacity_factor = 1.0}
      : tensor<16x4xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return %w, %i, %d : tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>
}

func.func @c05(%logits: tensor<16x4xf32>) -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>) {
  %w, %i, %d = loom.moe.route %logits {k = 2, renormalize, capacity_factor = 0.5}
      : tensor<16x4xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return %w, %i, %d : tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>
}

func.func @c125(%logits: tensor<16x4xf32>) -> (tensor<16x1xf32>, tensor<16x1xi64>, tensor<i64>) {
  %w, %i, %d = loom.moe.route %logits {mode = #loom.moe_routing<topk_softmax>, k = 1, capacity_factor = 1.25}
      : tensor<16x4xf32> -> (tensor<16x1xf32>, tensor<16x1xi64>, tensor<i64>)
  return %w, %i, %d : tensor<16x1xf32>, tensor<16x1xi64>, tensor<i64>
}
