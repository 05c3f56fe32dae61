// Execution test of the grouped expert and combine kernels
// (convert-loom-moe-to-cpu-kernels, after loom-decompose-moe) against the
// reference lowering on the same random inputs: a Mixtral-style layer (top-2
// of 8 SwiGLU experts, renormalised) where some experts get no token, and
// GELU experts without w3. Tolerance rtol 1e-5, atol 1e-4: outputs reach
// |63| with uniform [-1, 1) weights (largest difference seen: 2.1e-5).

// RUN: loom-run %s --entry mixtral --random-seed 21 --atol 1e-4
// RUN: loom-run %s --entry gelu --random-seed 22 --atol 1e-4
// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s
// CHECK-COUNT-2: llvm.call @loom_moe_experts_f32(
// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s --check-prefix=COMBINE
// COMBINE-COUNT-2: llvm.call @loom_moe_combine_f32(

func.func @mixtral(%x: tensor<5x64xf32>, %wg: tensor<64x8xf32>, %w1: tensor<8x64x96xf32>, %w2: tensor<8x96x64xf32>, %w3: tensor<8x64x96xf32>) -> tensor<5x64xf32> {
  %out, %dropped = loom.moe.ffn %x, %wg weights(%w1, %w2, %w3) {k = 2, renormalize}
      : (tensor<5x64xf32>, tensor<64x8xf32>, tensor<8x64x96xf32>, tensor<8x96x64xf32>, tensor<8x64x96xf32>) -> (tensor<5x64xf32>, tensor<i64>)
  return %out : tensor<5x64xf32>
}

func.func @gelu(%x: tensor<33x32xf32>, %wg: tensor<32x4xf32>, %w1: tensor<4x32x48xf32>, %w2: tensor<4x48x32xf32>) -> tensor<33x32xf32> {
  %out, %dropped = loom.moe.ffn %x, %wg weights(%w1, %w2) {k = 1, activation = #loom.moe_activation<gelu>}
      : (tensor<33x32xf32>, tensor<32x4xf32>, tensor<4x32x48xf32>, tensor<4x48x32xf32>) -> (tensor<33x32xf32>, tensor<i64>)
  return %out : tensor<33x32xf32>
}
