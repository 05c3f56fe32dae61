// Execution test: route -> dispatch -> experts -> combine equals the dense
// reference (every token through its top-2 experts of 8, computed densely and
// summed with its router weights), dropless renormalised and with capacity
// factor 1.0 (dropped assignments contribute nothing; the count is exact).
// Tolerance rtol 1e-4, atol 1e-5 against float64 (f32 accumulation over H = 16
// and F = 32).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m moe_reference round_trip %t
// RUN: loom-run %s --entry dropless --input %t/x.npy --input %t/logits.npy --input %t/w1.npy --input %t/w2.npy --input %t/w3.npy --compare %t/ref.npy --rtol 1e-4 --atol 1e-5
// RUN: loom-run %s --entry capacity --input %t/x.npy --input %t/logits.npy --input %t/w1.npy --input %t/w2.npy --input %t/w3.npy --compare %t/ref_cap.npy --compare %t/ref_cap_d.npy --rtol 1e-4 --atol 1e-5

func.func @dropless(%x: tensor<16x16xf32>, %logits: tensor<16x8xf32>, %w1: tensor<8x16x32xf32>,
                    %w2: tensor<8x32x16xf32>, %w3: tensor<8x16x32xf32>) -> tensor<16x16xf32> {
  %w, %i, %d = loom.moe.route %logits {k = 2, renormalize}
      : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  %rows, %perm, %offsets, %counts = loom.moe.dispatch %x, %i
      : (tensor<16x16xf32>, tensor<16x2xi64>)
      -> (tensor<32x16xf32>, tensor<32xi64>, tensor<8xi64>, tensor<8xi64>)
  %y = loom.moe.experts %rows, %offsets, %counts weights(%w1, %w2, %w3)
      : (tensor<32x16xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x16x32xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<32x16xf32>
  %out = loom.moe.combine %y, %perm, %w
      : (tensor<32x16xf32>, tensor<32xi64>, tensor<16x2xf32>) -> tensor<16x16xf32>
  return %out : tensor<16x16xf32>
}

func.func @capacity(%x: tensor<16x16xf32>, %logits: tensor<16x8xf32>, %w1: tensor<8x16x32xf32>,
                    %w2: tensor<8x32x16xf32>, %w3: tensor<8x16x32xf32>) -> (tensor<16x16xf32>, tensor<i64>) {
  %w, %i, %d = loom.moe.route %logits {k = 2, capacity_factor = 1.0}
      : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  %rows, %perm, %offsets, %counts = loom.moe.dispatch %x, %i
      : (tensor<16x16xf32>, tensor<16x2xi64>)
      -> (tensor<32x16xf32>, tensor<32xi64>, tensor<8xi64>, tensor<8xi64>)
  %y = loom.moe.experts %rows, %offsets, %counts weights(%w1, %w2, %w3)
      : (tensor<32x16xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x16x32xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<32x16xf32>
  %out = loom.moe.combine %y, %perm, %w
      : (tensor<32x16xf32>, tensor<32xi64>, tensor<16x2xf32>) -> tensor<16x16xf32>
  return %out, %d : tensor<16x16xf32>, tensor<i64>
}
