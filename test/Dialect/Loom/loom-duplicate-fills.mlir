// RUN: loom-opt %s --split-input-file --loom-duplicate-fills | FileCheck %s

// One zero fill shared by two matmuls: the second gets its own fill of its
// own empty tensor, so bufferization fills both destinations in place.
// CHECK-LABEL: func.func @shared_by_matmuls(
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK:         %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<4x8xf32>)
// CHECK:         %[[M0:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x16xf32>, tensor<16x8xf32>) outs(%[[F]] : tensor<4x8xf32>)
// CHECK:         %[[E2:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK:         %[[F2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E2]] : tensor<4x8xf32>)
// CHECK:         %[[M1:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x16xf32>, tensor<16x8xf32>) outs(%[[F2]] : tensor<4x8xf32>)
// CHECK:         return %[[M0]], %[[M1]]
func.func @shared_by_matmuls(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<16x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m0 = linalg.matmul ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m1 = linalg.matmul ins(%a, %c : tensor<4x16xf32>, tensor<16x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %m0, %m1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// A fill with one use, and a fill that is read (an `ins` operand) besides one
// destination use: nothing to duplicate.
// CHECK-LABEL: func.func @nothing_to_duplicate(
// CHECK-COUNT-2: linalg.fill
// CHECK-NOT:     linalg.fill
func.func @nothing_to_duplicate(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m = linalg.matmul ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  %g = linalg.fill ins(%one : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %s = linalg.add ins(%m, %g : tensor<4x8xf32>, tensor<4x8xf32>) outs(%g : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %m, %s : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// A fill of a function argument (not an empty tensor) is cloned onto the same
// destination value.
// CHECK-LABEL: func.func @fill_of_argument(
// CHECK-SAME:    %{{.*}}: tensor<16x8xf32>, %[[D:.*]]: tensor<4x8xf32>)
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[D]] : tensor<4x8xf32>)
// CHECK:         linalg.matmul
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[D]] : tensor<4x8xf32>)
// CHECK:         linalg.matmul
func.func @fill_of_argument(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %d: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %f = linalg.fill ins(%zero : f32) outs(%d : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m0 = linalg.matmul ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m1 = linalg.matmul ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %m0, %m1 : tensor<4x8xf32>, tensor<4x8xf32>
}
