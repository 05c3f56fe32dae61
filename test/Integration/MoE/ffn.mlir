// Execution test: loom.moe.ffn (router matmul included) equals the dense
// reference: a Mixtral-style layer (8 SwiGLU experts, top-2 renormalised,
// dropless) and the same layer with capacity factor 1.0 (dropped count exact).
// Tolerance rtol 1e-4, atol 1e-5 against float64; the logits keep a 1e-3 gap at
// the top-2 boundary so the f32 router selects the same experts.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m moe_reference ffn %t
// RUN: loom-run %s --entry mixtral --input %t/x.npy --input %t/wg.npy --input %t/w1.npy --input %t/w2.npy --input %t/w3.npy --compare %t/ref_mixtral.npy --compare %t/ref_mixtral_d.npy --rtol 1e-4 --atol 1e-5
// RUN: loom-run %s --entry capacity --input %t/x.npy --input %t/wg.npy --input %t/w1.npy --input %t/w2.npy --input %t/w3.npy --compare %t/ref_cap.npy --compare %t/ref_cap_d.npy --rtol 1e-4 --atol 1e-5

func.func @mixtral(%x: tensor<16x16xf32>, %wg: tensor<16x8xf32>, %w1: tensor<8x16x32xf32>,
                   %w2: tensor<8x32x16xf32>, %w3: tensor<8x16x32xf32>) -> (tensor<16x16xf32>, tensor<i64>) {
  %out, %d = loom.moe.ffn %x, %wg weights(%w1, %w2, %w3) {k = 2, renormalize}
      : (tensor<16x16xf32>, tensor<16x8xf32>, tensor<8x16x32xf32>, tensor<8x32x16xf32>,
         tensor<8x16x32xf32>) -> (tensor<16x16xf32>, tensor<i64>)
  return %out, %d : tensor<16x16xf32>, tensor<i64>
}

func.func @capacity(%x: tensor<16x16xf32>, %wg: tensor<16x8xf32>, %w1: tensor<8x16x32xf32>,
                    %w2: tensor<8x32x16xf32>, %w3: tensor<8x16x32xf32>) -> (tensor<16x16xf32>, tensor<i64>) {
  %out, %d = loom.moe.ffn %x, %wg weights(%w1, %w2, %w3) {k = 2, capacity_factor = 1.0}
      : (tensor<16x16xf32>, tensor<16x8xf32>, tensor<8x16x32xf32>, tensor<8x32x16xf32>,
         tensor<8x16x32xf32>) -> (tensor<16x16xf32>, tensor<i64>)
  return %out, %d : tensor<16x16xf32>, tensor<i64>
}

// f16 storage (activations and weights): router and experts compute in f32,
// expert outputs and the layer output are rounded to f16, so the tolerance is
// rtol 5e-3, atol 5e-3 against float64 on the f16 values.
// RUN: loom-run %s --entry mixtral_f16 --input %t/x16.npy --input %t/wg16.npy --input %t/w116.npy --input %t/w216.npy --input %t/w316.npy --compare %t/ref_f16.npy --rtol 5e-3 --atol 5e-3

func.func @mixtral_f16(%x: tensor<16x16xf16>, %wg: tensor<16x8xf16>, %w1: tensor<8x16x32xf16>,
                       %w2: tensor<8x32x16xf16>, %w3: tensor<8x16x32xf16>) -> tensor<16x16xf16> {
  %out, %d = loom.moe.ffn %x, %wg weights(%w1, %w2, %w3) {k = 2, renormalize}
      : (tensor<16x16xf16>, tensor<16x8xf16>, tensor<8x16x32xf16>, tensor<8x32x16xf16>,
         tensor<8x16x32xf16>) -> (tensor<16x16xf16>, tensor<i64>)
  return %out : tensor<16x16xf16>
}
