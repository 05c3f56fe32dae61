// RUN: loom-opt %s --split-input-file --convert-loom-moe-to-cpu-kernels | FileCheck %s

// Structure of the grouped-expert kernel call. Numbers are checked by
// test/Integration/CPUKernels/moe.mlir and every MoE execution test
// (lit.local.cfg runs both paths).

// SwiGLU experts: rows, offsets, counts, w1, w2, w3 as read-only buffers,
// a fresh result buffer, activation code 0.
// CHECK-LABEL: func.func @swiglu(
// CHECK-COUNT-6: bufferization.to_buffer {{.*}} read_only
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<6x16xf32>
// CHECK:         %[[ACT:.*]] = arith.constant 0 : i32
// CHECK:         call @loom_moe_experts_f32({{.*}}, %[[ACT]])
// CHECK:         bufferization.to_tensor %[[OUT]] restrict writable
// CHECK:       func.func private @loom_moe_experts_f32({{.*}}) attributes {llvm.emit_c_interface}
func.func @swiglu(%rows: tensor<6x16xf32>, %offsets: tensor<4xi64>, %counts: tensor<4xi64>, %w1: tensor<4x16x32xf32>, %w2: tensor<4x32x16xf32>, %w3: tensor<4x16x32xf32>) -> tensor<6x16xf32> {
  %y = loom.moe.experts %rows, %offsets, %counts weights(%w1, %w2, %w3)
      : (tensor<6x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x32xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>) -> tensor<6x16xf32>
  return %y : tensor<6x16xf32>
}

// -----

// GELU without w3: w1 stands in for the absent descriptor; code 1.
// CHECK-LABEL: func.func @gelu(
// CHECK:         %[[ACT:.*]] = arith.constant 1 : i32
// CHECK:         call @loom_moe_experts_f32({{.*}}, %[[ACT]])
func.func @gelu(%rows: tensor<6x16xf32>, %offsets: tensor<4xi64>, %counts: tensor<4xi64>, %w1: tensor<4x16x32xf32>, %w2: tensor<4x32x16xf32>) -> tensor<6x16xf32> {
  %y = loom.moe.experts %rows, %offsets, %counts weights(%w1, %w2) {activation = #loom.moe_activation<gelu>}
      : (tensor<6x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x32xf32>, tensor<4x32x16xf32>) -> tensor<6x16xf32>
  return %y : tensor<6x16xf32>
}

// -----

// MoE++ zero-computation experts are not FFNs: reference lowering.
// CHECK-LABEL: func.func @negative_zero_expert(
// CHECK:         loom.moe.experts
// CHECK-NOT:     call @loom_moe_experts_f32
func.func @negative_zero_expert(%rows: tensor<6x16xf32>, %offsets: tensor<2xi64>, %counts: tensor<2xi64>, %w1: tensor<1x16x32xf32>, %w2: tensor<1x32x16xf32>) -> tensor<6x16xf32> {
  %y = loom.moe.experts %rows, %offsets, %counts weights(%w1, %w2)
      {activation = #loom.moe_activation<relu>, kinds = [#loom.moe_expert<ffn>, #loom.moe_expert<zero>]}
      : (tensor<6x16xf32>, tensor<2xi64>, tensor<2xi64>, tensor<1x16x32xf32>, tensor<1x32x16xf32>) -> tensor<6x16xf32>
  return %y : tensor<6x16xf32>
}

// -----

// Combine: expert rows, permutation and weights in, a fresh [T, H] out.
// CHECK-LABEL: func.func @combine(
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<3x16xf32>
// CHECK-COUNT-3: bufferization.to_buffer {{.*}} read_only
// CHECK:         call @loom_moe_combine_f32(
// CHECK:         bufferization.to_tensor %[[OUT]] restrict writable
func.func @combine(%y: tensor<6x16xf32>, %perm: tensor<6xi64>, %w: tensor<3x2xf32>) -> tensor<3x16xf32> {
  %out = loom.moe.combine %y, %perm, %w : (tensor<6x16xf32>, tensor<6xi64>, tensor<3x2xf32>) -> tensor<3x16xf32>
  return %out : tensor<3x16xf32>
}
