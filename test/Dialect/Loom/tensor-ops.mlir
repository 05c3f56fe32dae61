// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s -mlir-print-op-generic | loom-opt | FileCheck %s

// Round trip of loom.topk (custom and generic syntax).

// CHECK-LABEL: func.func @topk
// CHECK: loom.topk %{{.*}} {k = 2 : i64} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>)
// CHECK: loom.topk %{{.*}} {axis = 0 : i64, k = 3 : i64, smallest} : tensor<10x4xf32> -> (tensor<3x4xf32>, tensor<3x4xi64>)
// CHECK: loom.topk %{{.*}} {k = 1 : i64} : tensor<7xi32> -> (tensor<1xi32>, tensor<1xi64>)
func.func @topk(%p: tensor<16x8xf32>, %x: tensor<10x4xf32>, %i: tensor<7xi32>)
    -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<3x4xf32>, tensor<3x4xi64>,
        tensor<1xi32>, tensor<1xi64>) {
  %w, %e = loom.topk %p {k = 2} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>)
  %v, %j = loom.topk %x {k = 3, axis = 0, smallest}
      : tensor<10x4xf32> -> (tensor<3x4xf32>, tensor<3x4xi64>)
  %a, %b = loom.topk %i {k = 1, axis = -1} : tensor<7xi32> -> (tensor<1xi32>, tensor<1xi64>)
  return %w, %e, %v, %j, %a, %b : tensor<16x2xf32>, tensor<16x2xi64>, tensor<3x4xf32>,
      tensor<3x4xi64>, tensor<1xi32>, tensor<1xi64>
}
