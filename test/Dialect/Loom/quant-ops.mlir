// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// Round trip of the quantization ops; bits = 8 is the default and elided.

// CHECK-LABEL: func @int8_channel
// CHECK: loom.qmatmul %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x128xf32>, tensor<64x128xi8>, tensor<64xf32>) -> tensor<4x64xf32>
func.func @int8_channel(%x: tensor<4x128xf32>, %w: tensor<64x128xi8>, %s: tensor<64xf32>) -> tensor<4x64xf32> {
  %y = loom.qmatmul %x, %w, %s {bits = 8} : (tensor<4x128xf32>, tensor<64x128xi8>, tensor<64xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// CHECK-LABEL: func @int4_group
// CHECK: loom.qmatmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {bits = 4 : i64, group_size = 32 : i64} : (tensor<4x128xf16>, tensor<64x64xi8>, tensor<64x4xf16>, tensor<64x4xi8>) -> tensor<4x64xf16>
func.func @int4_group(%x: tensor<4x128xf16>, %w: tensor<64x64xi8>, %s: tensor<64x4xf16>, %z: tensor<64x4xi8>) -> tensor<4x64xf16> {
  %y = loom.qmatmul %x, %w, %s, %z {bits = 4, group_size = 32} : (tensor<4x128xf16>, tensor<64x64xi8>, tensor<64x4xf16>, tensor<64x4xi8>) -> tensor<4x64xf16>
  return %y : tensor<4x64xf16>
}

// CHECK-LABEL: func @activations
// CHECK: %[[Q:.*]] = loom.quantize %{{.*}}, %{{.*}} per_token : (tensor<2x16x64xf32>, tensor<2x16xf32>) -> tensor<2x16x64xi8>
// CHECK: loom.dequantize %[[Q]], %{{.*}}, %{{.*}} per_tensor : (tensor<2x16x64xi8>, tensor<1xf32>, tensor<1xi8>) -> tensor<2x16x64xf16>
func.func @activations(%x: tensor<2x16x64xf32>, %s: tensor<2x16xf32>, %s1: tensor<1xf32>, %z1: tensor<1xi8>) -> tensor<2x16x64xf16> {
  %q = loom.quantize %x, %s per_token : (tensor<2x16x64xf32>, tensor<2x16xf32>) -> tensor<2x16x64xi8>
  %d = loom.dequantize %q, %s1, %z1 per_tensor : (tensor<2x16x64xi8>, tensor<1xf32>, tensor<1xi8>) -> tensor<2x16x64xf16>
  return %d : tensor<2x16x64xf16>
}
