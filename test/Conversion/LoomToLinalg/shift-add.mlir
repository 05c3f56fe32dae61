// RUN: loom-opt %s -convert-loom-to-linalg -split-input-file -verify-diagnostics | FileCheck %s
// RUN: loom-opt %s -convert-loom-to-linalg -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=NOMUL
// RUN: loom-opt %s -convert-loom-to-linalg=bcq-lut=true -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=LUT
// RUN: loom-opt %s -convert-loom-to-linalg=bcq-lut=true -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=NOMUL

// The structure of the shift-add lowerings; their numbers are checked by the
// execution tests in test/Integration/ShiftAdd.

// The lowered bodies contain no multiplication at all (both bcq lowerings).
// NOMUL-NOT: arith.mul
// NOMUL-NOT: math.fma

// Fixed point: sign-extend, shift left then arithmetic right by the clamped
// exponent plus result_frac_bits - frac_bits (here 2), negate by select.
// CHECK-LABEL: func @shift_int
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: ^bb0(%[[X:.*]]: i16, %[[S:.*]]: i8, %[[P:.*]]: i8, %[[ACC:.*]]: i32):
// CHECK-DAG: %[[TWO:.*]] = arith.constant 2 : i32
// CHECK-DAG: %[[PE:.*]] = arith.extsi %[[P]] : i8 to i32
// CHECK-DAG: %[[XE:.*]] = arith.extsi %[[X]] : i16 to i32
// CHECK: %[[SH:.*]] = arith.addi %{{.*}}, %[[TWO]] : i32
// CHECK: %[[L:.*]] = arith.shli %[[XE]], %{{.*}} : i32
// CHECK: %[[R:.*]] = arith.shrsi %[[L]], %{{.*}} : i32
// CHECK: arith.subi %{{.*}}, %[[R]] : i32
// CHECK: arith.select
// CHECK: arith.addi %[[ACC]], %{{.*}} : i32
func.func @shift_int(%x: tensor<4x16xi16>, %s: tensor<8x16xi8>, %p: tensor<8x16xi8>) -> tensor<4x8xi32> {
  %y = loom.shift_matmul %x, %s, %p {frac_bits = 8, result_frac_bits = 10} : (tensor<4x16xi16>, tensor<8x16xi8>, tensor<8x16xi8>) -> tensor<4x8xi32>
  return %y : tensor<4x8xi32>
}

// -----

// Float: ldexp adds the exponent to the f32 exponent field through bitcasts;
// f16 input is extended first and the f32 sum truncated at the end.
// CHECK-LABEL: func @shift_float
// CHECK: linalg.generic
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.shrui
// CHECK: arith.addi
// CHECK: arith.shli
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK: arith.negf
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @shift_float(%x: tensor<4x16xf16>, %s: tensor<8x16xi8>, %p: tensor<8x16xi8>) -> tensor<4x8xf16> {
  %y = loom.shift_matmul %x, %s, %p : (tensor<4x16xf16>, tensor<8x16xi8>, tensor<8x16xi8>) -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}

// -----

// Plain bcq: x viewed as [M, K/g, g/8, 8], per-byte signed sums recomputed
// from the bits (six loops), then group sums, then the scaled sum over planes
// and groups. The LUT form builds [M, K/g, g/8, 256] tables and extracts.
// CHECK-LABEL: func @bcq
// CHECK-DAG: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] output_shape [2, 2, 2, 8] : tensor<2x32xf32> into tensor<2x2x2x8xf32>
// CHECK-DAG: tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] output_shape [3, 5, 2, 2] : tensor<3x5x4xi8> into tensor<3x5x2x2xi8>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.shrui
// CHECK: arith.select
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.bitcast
// CHECK-NOT: tensor.extract
// CHECK: return
// LUT-LABEL: func @bcq
// LUT: %[[TABLE:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x2x2x256xf32>)
// LUT: linalg.generic {{.*}} ins(%{{.*}} : tensor<3x5x2x2xi8>) outs(%{{.*}} : tensor<2x3x5x2xf32>)
// LUT: %[[T:.*]] = arith.index_castui %{{.*}} : i8 to index
// LUT: tensor.extract %[[TABLE]][%{{.*}}, %{{.*}}, %{{.*}}, %[[T]]] : tensor<2x2x2x256xf32>
// LUT: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
func.func @bcq(%x: tensor<2x32xf32>, %b: tensor<3x5x4xi8>, %e: tensor<3x5x2xi8>) -> tensor<2x5xf32> {
  %y = loom.bcq_matmul %x, %b, %e {group_size = 16} : (tensor<2x32xf32>, tensor<3x5x4xi8>, tensor<3x5x2xi8>) -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// -----

// AdderNet: acc - |x - w| in f32.
// CHECK-LABEL: func @adder
// CHECK: linalg.generic
// CHECK: %[[D:.*]] = arith.subf
// CHECK: %[[A:.*]] = math.absf %[[D]]
// CHECK: arith.subf %{{.*}}, %[[A]]
func.func @adder(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) -> tensor<4x8xf32> {
  %y = loom.adder_matmul %x, %w : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Dynamic shapes are reported, not lowered.
func.func @negative_dynamic(%x: tensor<?x16xf32>, %s: tensor<8x16xi8>, %p: tensor<8x16xi8>) -> tensor<?x8xf32> {
  // expected-error @+1 {{failed to legalize operation 'loom.shift_matmul'}}
  %y = loom.shift_matmul %x, %s, %p : (tensor<?x16xf32>, tensor<8x16xi8>, tensor<8x16xi8>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
