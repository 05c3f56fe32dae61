// RUN: loom-opt %s -convert-loom-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// The structure of the quantization lowerings; their numbers are checked by
// the execution tests in test/Integration/Quant.

// int4: the packed byte is read through k floordiv 2 and the scale through
// k floordiv g; the nibble is sign-extended by shifts and chosen by k's parity.
// CHECK-DAG: #[[PACKED:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 2)>
// CHECK-DAG: #[[GROUP:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 32)>
// CHECK-LABEL: func @int4_group
// CHECK: linalg.generic {indexing_maps = [#[[PACKED]], #[[GROUP]], #[[GROUP]], #{{.*}}]
// CHECK: arith.shli %{{.*}} : i8
// CHECK: arith.shrsi %{{.*}} : i8
// CHECK: arith.shrsi %{{.*}} : i8
// CHECK: linalg.index 1
// CHECK: arith.select
// CHECK: arith.sitofp
// CHECK: arith.subf
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.mulf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @int4_group(%x: tensor<2x64xf16>, %w: tensor<4x32xi8>, %s: tensor<4x2xf16>, %z: tensor<4x2xi8>) -> tensor<2x4xf16> {
  %y = loom.qmatmul %x, %w, %s, %z {bits = 4, group_size = 32} : (tensor<2x64xf16>, tensor<4x32xi8>, tensor<4x2xf16>, tensor<4x2xi8>) -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}

// -----

// Per-token quantize: the scale is indexed by every dimension but the last;
// round half to even, clamp to [-128, 127].
// CHECK-DAG: #[[TOKEN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @quantize_per_token
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[TOKEN]], #{{.*}}]
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.fptosi %{{.*}} : f32 to i8
func.func @quantize_per_token(%x: tensor<2x3x8xf32>, %s: tensor<2x3xf32>) -> tensor<2x3x8xi8> {
  %q = loom.quantize %x, %s per_token : (tensor<2x3x8xf32>, tensor<2x3xf32>) -> tensor<2x3x8xi8>
  return %q : tensor<2x3x8xi8>
}

// -----

// Per-tensor dequantize: one scale broadcast through a constant index.
// CHECK-DAG: #[[TENSOR:.*]] = affine_map<(d0, d1) -> (0)>
// CHECK-LABEL: func @dequantize_per_tensor
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[TENSOR]], #[[TENSOR]], #{{.*}}]
// CHECK: arith.sitofp
// CHECK: arith.subf
// CHECK: arith.mulf
func.func @dequantize_per_tensor(%q: tensor<3x8xi8>, %s: tensor<1xf32>, %z: tensor<1xi8>) -> tensor<3x8xf32> {
  %x = loom.dequantize %q, %s, %z per_tensor : (tensor<3x8xi8>, tensor<1xf32>, tensor<1xi8>) -> tensor<3x8xf32>
  return %x : tensor<3x8xf32>
}
