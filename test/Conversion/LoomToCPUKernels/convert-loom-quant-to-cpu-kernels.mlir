// RUN: loom-opt %s --split-input-file --convert-loom-quant-to-cpu-kernels | FileCheck %s

// Structure of the quantized matmul kernel calls. Numbers are checked by
// test/Integration/CPUKernels/{qmatmul,bcq_matmul}.mlir and every Quant
// execution test (lit.local.cfg runs both paths).

// int8 per channel, symmetric: scales [N] expanded to [N, 1]; the weight
// stands in for the absent zero points; bits 8, no zero points.
// CHECK:       func.func private @loom_qmatmul_f32({{.*}}) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @int8_channel(
// CHECK-SAME:      %[[X:.*]]: tensor<4x128xf32>, %[[W:.*]]: tensor<64x128xi8>, %[[S:.*]]: tensor<64xf32>
// CHECK:         bufferization.to_buffer %[[X]] read_only
// CHECK:         %[[WB:.*]] = bufferization.to_buffer %[[W]] read_only
// CHECK:         %[[WV:.*]] = memref.cast %[[WB]]
// CHECK:         %[[SE:.*]] = tensor.expand_shape %[[S]] {{\[\[}}0, 1]] output_shape [64, 1] : tensor<64xf32> into tensor<64x1xf32>
// CHECK:         bufferization.to_buffer %[[SE]] read_only
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<4x64xf32>
// CHECK:         %[[BITS:.*]] = arith.constant 8 : i32
// CHECK:         %[[NOZ:.*]] = arith.constant 0 : i32
// CHECK:         call @loom_qmatmul_f32({{.*}}, %[[WV]], {{.*}}, %[[WV]], {{.*}}, %[[BITS]], %[[NOZ]])
// CHECK:         bufferization.to_tensor %[[OUT]] restrict writable
func.func @int8_channel(%x: tensor<4x128xf32>, %w: tensor<64x128xi8>, %s: tensor<64xf32>) -> tensor<4x64xf32> {
  %y = loom.qmatmul %x, %w, %s
      : (tensor<4x128xf32>, tensor<64x128xi8>, tensor<64xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// -----

// int4 per group, asymmetric: [N, K/g] scales and zero points pass as they
// are; bits 4, zero points present.
// CHECK-LABEL: func.func @int4_group_asym(
// CHECK-NOT:     tensor.expand_shape
// CHECK:         %[[BITS:.*]] = arith.constant 4 : i32
// CHECK:         %[[HASZ:.*]] = arith.constant 1 : i32
// CHECK:         call @loom_qmatmul_f32({{.*}}, %[[BITS]], %[[HASZ]])
func.func @int4_group_asym(%x: tensor<1x128xf32>, %w: tensor<64x64xi8>, %s: tensor<64x4xf32>, %z: tensor<64x4xi8>) -> tensor<1x64xf32> {
  %y = loom.qmatmul %x, %w, %s, %z {bits = 4, group_size = 32}
      : (tensor<1x128xf32>, tensor<64x64xi8>, tensor<64x4xf32>, tensor<64x4xi8>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

// int8 per channel, asymmetric: the zero points [N] are expanded too.
// CHECK-LABEL: func.func @int8_channel_asym(
// CHECK-COUNT-2: tensor.expand_shape
// CHECK:         call @loom_qmatmul_f32(
func.func @int8_channel_asym(%x: tensor<2x32xf32>, %w: tensor<16x32xi8>, %s: tensor<16xf32>, %z: tensor<16xi8>) -> tensor<2x16xf32> {
  %y = loom.qmatmul %x, %w, %s, %z
      : (tensor<2x32xf32>, tensor<16x32xi8>, tensor<16xf32>, tensor<16xi8>) -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// -----

// f16 activations and result: the kernel is f32 only; reference lowering.
// CHECK-LABEL: func.func @negative_qmatmul_f16(
// CHECK:         loom.qmatmul
// CHECK-NOT:     call @loom_qmatmul_f32
func.func @negative_qmatmul_f16(%x: tensor<4x128xf16>, %w: tensor<64x64xi8>, %s: tensor<64x4xf16>, %z: tensor<64x4xi8>) -> tensor<4x64xf16> {
  %y = loom.qmatmul %x, %w, %s, %z {bits = 4, group_size = 32}
      : (tensor<4x128xf16>, tensor<64x64xi8>, tensor<64x4xf16>, tensor<64x4xi8>) -> tensor<4x64xf16>
  return %y : tensor<4x64xf16>
}

// -----

// f32 activations with f16 scales: still the reference lowering.
// CHECK-LABEL: func.func @negative_qmatmul_f16_scales(
// CHECK:         loom.qmatmul
// CHECK-NOT:     call @loom_qmatmul_f32
func.func @negative_qmatmul_f16_scales(%x: tensor<4x128xf32>, %w: tensor<64x128xi8>, %s: tensor<64xf16>) -> tensor<4x64xf32> {
  %y = loom.qmatmul %x, %w, %s
      : (tensor<4x128xf32>, tensor<64x128xi8>, tensor<64xf16>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// -----

// Dynamic rows: only static shapes are converted.
// CHECK-LABEL: func.func @negative_qmatmul_dynamic(
// CHECK:         loom.qmatmul
// CHECK-NOT:     call @loom_qmatmul_f32
func.func @negative_qmatmul_dynamic(%x: tensor<?x128xf32>, %w: tensor<64x128xi8>, %s: tensor<64xf32>) -> tensor<?x64xf32> {
  %y = loom.qmatmul %x, %w, %s
      : (tensor<?x128xf32>, tensor<64x128xi8>, tensor<64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// bcq_matmul on f32: input, planes, exponents as read-only buffers and a
// fresh result buffer.
// CHECK:       func.func private @loom_bcq_matmul_f32({{.*}}) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @bcq(
// CHECK-COUNT-3: bufferization.to_buffer {{.*}} read_only
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<4x64xf32>
// CHECK:         call @loom_bcq_matmul_f32(
// CHECK:         bufferization.to_tensor %[[OUT]] restrict writable
func.func @bcq(%x: tensor<4x128xf32>, %b: tensor<3x64x16xi8>, %e: tensor<3x64x4xi8>) -> tensor<4x64xf32> {
  %y = loom.bcq_matmul %x, %b, %e {group_size = 32}
      : (tensor<4x128xf32>, tensor<3x64x16xi8>, tensor<3x64x4xi8>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// -----

// bcq_matmul on f16: reference lowering.
// CHECK-LABEL: func.func @negative_bcq_f16(
// CHECK:         loom.bcq_matmul
// CHECK-NOT:     call @loom_bcq_matmul_f32
func.func @negative_bcq_f16(%x: tensor<4x128xf16>, %b: tensor<1x64x16xi8>, %e: tensor<1x64x16xi8>) -> tensor<4x64xf16> {
  %y = loom.bcq_matmul %x, %b, %e {group_size = 8}
      : (tensor<4x128xf16>, tensor<1x64x16xi8>, tensor<1x64x16xi8>) -> tensor<4x64xf16>
  return %y : tensor<4x64xf16>
}
