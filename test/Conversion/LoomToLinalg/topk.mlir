// RUN: loom-opt %s -split-input-file --convert-loom-to-linalg | FileCheck %s

// loom.topk lowers to k selection passes (one reduction each) joined along the
// axis; the numbers are checked by test/Integration/Tensor/topk.mlir.

// CHECK-LABEL: func.func @last_axis
// CHECK-COUNT-2: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: tensor.concat dim(1)
// CHECK: tensor.concat dim(1)
// CHECK-NOT: loom.topk
func.func @last_axis(%x: tensor<16x8xf32>) -> (tensor<16x2xf32>, tensor<16x2xi64>) {
  %v, %i = loom.topk %x {k = 2} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>)
  return %v, %i : tensor<16x2xf32>, tensor<16x2xi64>
}

// -----

// k = 1 needs no concat; the smallest-first order compares with olt.
// CHECK-LABEL: func.func @first_axis_smallest
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]
// CHECK: arith.cmpf olt
// CHECK-NOT: tensor.concat
func.func @first_axis_smallest(%x: tensor<10x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xi64>) {
  %v, %i = loom.topk %x {k = 1, axis = 0, smallest}
      : tensor<10x4xf32> -> (tensor<1x4xf32>, tensor<1x4xi64>)
  return %v, %i : tensor<1x4xf32>, tensor<1x4xi64>
}
