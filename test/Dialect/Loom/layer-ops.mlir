// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s -mlir-print-op-generic | loom-opt | FileCheck %s

// Round trip of loom.rope and loom.rms_norm (custom and generic syntax).

// CHECK-LABEL: func.func @rope
// CHECK: loom.rope %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x8x64x16xf32>, tensor<1x1x64x16xf32>, tensor<1x1x64x16xf32>) -> tensor<1x8x64x16xf32>
// CHECK: loom.rope %{{.*}}, %{{.*}}, %{{.*}} {interleaved} : (tensor<2x5x3x6xf16>, tensor<2x5x1x6xf16>, tensor<2x5x1x6xf16>) -> tensor<2x5x3x6xf16>
// CHECK: loom.rope %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x4x?x10xf32>, tensor<1x1x?x4xf32>, tensor<1x1x?x4xf32>) -> tensor<?x4x?x10xf32>
func.func @rope(%q: tensor<1x8x64x16xf32>, %c: tensor<1x1x64x16xf32>, %s: tensor<1x1x64x16xf32>,
                %x: tensor<2x5x3x6xf16>, %c2: tensor<2x5x1x6xf16>, %s2: tensor<2x5x1x6xf16>,
                %d: tensor<?x4x?x10xf32>, %c3: tensor<1x1x?x4xf32>, %s3: tensor<1x1x?x4xf32>)
    -> (tensor<1x8x64x16xf32>, tensor<2x5x3x6xf16>, tensor<?x4x?x10xf32>) {
  %0 = loom.rope %q, %c, %s : (tensor<1x8x64x16xf32>, tensor<1x1x64x16xf32>, tensor<1x1x64x16xf32>) -> tensor<1x8x64x16xf32>
  %1 = loom.rope %x, %c2, %s2 {interleaved} : (tensor<2x5x3x6xf16>, tensor<2x5x1x6xf16>, tensor<2x5x1x6xf16>) -> tensor<2x5x3x6xf16>
  %2 = loom.rope %d, %c3, %s3 : (tensor<?x4x?x10xf32>, tensor<1x1x?x4xf32>, tensor<1x1x?x4xf32>) -> tensor<?x4x?x10xf32>
  return %0, %1, %2 : tensor<1x8x64x16xf32>, tensor<2x5x3x6xf16>, tensor<?x4x?x10xf32>
}

// CHECK-LABEL: func.func @rms_norm
// CHECK: loom.rms_norm %{{.*}}, %{{.*}} {epsilon = 9.99999997E-7 : f32} : (tensor<1x64x128xf32>, tensor<128xf32>) -> tensor<1x64x128xf32>
// CHECK: loom.rms_norm %{{.*}} {epsilon = 0.000000e+00 : f32} : (tensor<16xbf16>) -> tensor<16xbf16>
func.func @rms_norm(%x: tensor<1x64x128xf32>, %w: tensor<128xf32>, %y: tensor<16xbf16>)
    -> (tensor<1x64x128xf32>, tensor<16xbf16>) {
  %0 = loom.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : (tensor<1x64x128xf32>, tensor<128xf32>) -> tensor<1x64x128xf32>
  %1 = loom.rms_norm %y {epsilon = 0.0 : f32} : (tensor<16xbf16>) -> tensor<16xbf16>
  return %0, %1 : tensor<1x64x128xf32>, tensor<16xbf16>
}
