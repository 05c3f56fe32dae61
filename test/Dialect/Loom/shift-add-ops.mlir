// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// Round trip of the shift-add ops in their custom form; default attributes
// (min_exponent = -8, max_exponent = 7) are elided.

// CHECK-LABEL: func @shift_int
// CHECK: loom.shift_matmul %{{.*}}, %{{.*}}, %{{.*}} {frac_bits = 8 : i64, result_frac_bits = 12 : i64} : (tensor<4x64xi16>, tensor<32x64xi8>, tensor<32x64xi8>) -> tensor<4x32xi32>
func.func @shift_int(%x: tensor<4x64xi16>, %s: tensor<32x64xi8>, %p: tensor<32x64xi8>) -> tensor<4x32xi32> {
  %y = loom.shift_matmul %x, %s, %p {frac_bits = 8, result_frac_bits = 12} : (tensor<4x64xi16>, tensor<32x64xi8>, tensor<32x64xi8>) -> tensor<4x32xi32>
  return %y : tensor<4x32xi32>
}

// CHECK-LABEL: func @shift_float
// CHECK: loom.shift_matmul %{{.*}}, %{{.*}}, %{{.*}} {max_exponent = 3 : i64, min_exponent = -12 : i64} : (tensor<4x64xf16>, tensor<32x64xi8>, tensor<32x64xi8>) -> tensor<4x32xf32>
func.func @shift_float(%x: tensor<4x64xf16>, %s: tensor<32x64xi8>, %p: tensor<32x64xi8>) -> tensor<4x32xf32> {
  %y = loom.shift_matmul %x, %s, %p {min_exponent = -12, max_exponent = 3} : (tensor<4x64xf16>, tensor<32x64xi8>, tensor<32x64xi8>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// Dynamic M is accepted by the verifier.
// CHECK-LABEL: func @shift_dynamic
// CHECK: loom.shift_matmul {{.*}} -> tensor<?x32xf32>
func.func @shift_dynamic(%x: tensor<?x64xf32>, %s: tensor<32x64xi8>, %p: tensor<32x64xi8>) -> tensor<?x32xf32> {
  %y = loom.shift_matmul %x, %s, %p : (tensor<?x64xf32>, tensor<32x64xi8>, tensor<32x64xi8>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// CHECK-LABEL: func @bcq
// CHECK: loom.bcq_matmul %{{.*}}, %{{.*}}, %{{.*}} {group_size = 32 : i64} : (tensor<4x128xf32>, tensor<3x64x16xi8>, tensor<3x64x4xi8>) -> tensor<4x64xf32>
func.func @bcq(%x: tensor<4x128xf32>, %b: tensor<3x64x16xi8>, %e: tensor<3x64x4xi8>) -> tensor<4x64xf32> {
  %y = loom.bcq_matmul %x, %b, %e {group_size = 32} : (tensor<4x128xf32>, tensor<3x64x16xi8>, tensor<3x64x4xi8>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// CHECK-LABEL: func @adder
// CHECK: loom.adder_matmul %{{.*}}, %{{.*}} : (tensor<4x64xi8>, tensor<32x64xi8>) -> tensor<4x32xi32>
func.func @adder(%x: tensor<4x64xi8>, %w: tensor<32x64xi8>) -> tensor<4x32xi32> {
  %y = loom.adder_matmul %x, %w : (tensor<4x64xi8>, tensor<32x64xi8>) -> tensor<4x32xi32>
  return %y : tensor<4x32xi32>
}
