// RUN: loom-opt %s -split-input-file -verify-diagnostics --convert-loom-to-linalg | FileCheck %s

// The reference lowering of loom.rope and loom.rms_norm; the numbers are checked by
// test/Integration/Layer/{rope,rms-norm}.mlir.

// Rotate-half: the partner is concat(-x[..., 4:], x[..., :4]); one generic computes
// x * cos + partner * sin with the tables broadcast over heads.
// CHECK-LABEL: func.func @rope
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 4, 6, 4] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 4] [1, 4, 6, 4] [1, 1, 1, 1]
// CHECK: arith.negf
// CHECK: tensor.concat dim(3)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[T:.*]], #[[T]], #{{.*}}]
// CHECK: arith.mulf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: loom.rope
func.func @rope(%x: tensor<1x4x6x8xf32>, %c: tensor<1x1x6x8xf32>, %s: tensor<1x1x6x8xf32>) -> tensor<1x4x6x8xf32> {
  %y = loom.rope %x, %c, %s : (tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>, tensor<1x1x6x8xf32>) -> tensor<1x4x6x8xf32>
  return %y : tensor<1x4x6x8xf32>
}

// -----

// Interleaved pairs: stride-2 slices and strided inserts; a partial width: the
// rotated part concatenated with the untouched channels.
// CHECK-LABEL: func.func @interleaved_partial
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0] [2, 3, 4] [1, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0] [2, 3, 2] [1, 1, 2]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 1] [2, 3, 2] [1, 1, 2]
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 0] [2, 3, 2] [1, 1, 2]
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 1] [2, 3, 2] [1, 1, 2]
// CHECK: linalg.generic
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 4] [2, 3, 6] [1, 1, 1]
// CHECK: tensor.concat dim(2)
func.func @interleaved_partial(%x: tensor<2x3x10xf32>, %c: tensor<2x3x4xf32>, %s: tensor<2x3x4xf32>) -> tensor<2x3x10xf32> {
  %y = loom.rope %x, %c, %s {interleaved} : (tensor<2x3x10xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x10xf32>
  return %y : tensor<2x3x10xf32>
}

// -----

// RMS norm: a row sum of squares in f32, then one elementwise generic.
// CHECK-LABEL: func.func @rms_norm_f16
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<3xf32>)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.extf
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: math.sqrt
// CHECK: arith.truncf
// CHECK: arith.mulf {{.*}} : f16
// CHECK-NOT: loom.rms_norm
func.func @rms_norm_f16(%x: tensor<3x64xf16>, %w: tensor<64xf16>) -> tensor<3x64xf16> {
  %y = loom.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : (tensor<3x64xf16>, tensor<64xf16>) -> tensor<3x64xf16>
  return %y : tensor<3x64xf16>
}

// -----

// Dynamic shapes are not lowered: a located error, not a crash.
func.func @negative_dynamic_rope(%x: tensor<?x8xf32>, %c: tensor<1x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{failed to legalize operation 'loom.rope'}}
  %y = loom.rope %x, %c, %c : (tensor<?x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

func.func @negative_dynamic_rms_norm(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{failed to legalize operation 'loom.rms_norm'}}
  %y = loom.rms_norm %x {epsilon = 1.0e-06 : f32} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
