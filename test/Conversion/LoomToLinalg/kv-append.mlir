// RUN: loom-opt %s -split-input-file --convert-loom-to-linalg | FileCheck %s

// A cache value becomes five tensors; append checks the capacity first and, on
// overflow, reports loom_runtime_error(1) and yields the cache unchanged.

!cache = !loom.kv_cache<1x2x16x4xf32>

// CHECK: func.func private @loom_runtime_error(i32)
// CHECK-LABEL: func.func @append
// CHECK-SAME: (%[[K:.*]]: tensor<1x2x16x4xf32>, %[[V:.*]]: tensor<1x2x16x4xf32>, %[[P:.*]]: tensor<1x2x16xi64>, %[[L:.*]]: tensor<1xi64>, %[[N:.*]]: tensor<1xi64>, %[[NEWK:.*]]: tensor<1x2x3x4xf32>, %[[NEWV:.*]]: tensor<1x2x3x4xf32>)
// CHECK: %[[OVER:.*]] = linalg.generic {{.*}} ins(%[[L]] : tensor<1xi64>)
// CHECK: arith.cmpi sgt
// CHECK: %[[FLAG:.*]] = tensor.extract %[[OVER]][]
// CHECK: %[[R:.*]]:5 = scf.if %[[FLAG]]
// CHECK:   %[[CODE:.*]] = arith.constant 1 : i32
// CHECK:   func.call @loom_runtime_error(%[[CODE]])
// CHECK:   scf.yield %[[K]], %[[V]], %[[P]], %[[L]], %[[N]]
// CHECK: } else {
// CHECK:   tensor.extract %[[NEWK]]
// CHECK:   tensor.extract %[[NEWV]]
// CHECK: return %[[R]]#0, %[[R]]#1, %[[R]]#2, %[[R]]#3, %[[R]]#4
func.func @append(%c: !cache, %k: tensor<1x2x3x4xf32>, %v: tensor<1x2x3x4xf32>) -> !cache {
  %0 = loom.kv.append %c, %k, %v : !cache, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>
  return %0 : !cache
}

// -----

// An existing declaration is reused, not duplicated.
// CHECK: func.func private @loom_runtime_error(i32)
// CHECK-NOT: @loom_runtime_error(i32)
// CHECK-LABEL: func.func @two_appends
// CHECK-COUNT-2: func.call @loom_runtime_error
func.func private @loom_runtime_error(i32)
func.func @two_appends(%k: tensor<1x1x1x4xf32>) -> !loom.kv_cache<1x1x4x4xf32> {
  %c0 = loom.kv.init : !loom.kv_cache<1x1x4x4xf32>
  %c1 = loom.kv.append %c0, %k, %k : !loom.kv_cache<1x1x4x4xf32>, tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>
  %c2 = loom.kv.append %c1, %k, %k : !loom.kv_cache<1x1x4x4xf32>, tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>
  return %c2 : !loom.kv_cache<1x1x4x4xf32>
}

// -----

// init: zero storage, positions -1, length and next 0.
// CHECK-LABEL: func.func @init
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[NONE:.*]] = arith.constant -1 : i64
// CHECK-DAG: linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x1x8x4xf32>)
// CHECK-DAG: linalg.fill ins(%[[NONE]] : i64) outs(%{{.*}} : tensor<2x1x8xi64>)
// CHECK: return
func.func @init() -> !loom.kv_cache<2x1x8x4xf32> {
  %c = loom.kv.init : !loom.kv_cache<2x1x8x4xf32>
  return %c : !loom.kv_cache<2x1x8x4xf32>
}

// -----

// Accessors mask entries at or beyond the length; length is forwarded.
// CHECK-LABEL: func.func @accessors
// CHECK-SAME: %[[L:[^:]*]]: tensor<1xi64>, %{{[^:]*}}: tensor<1xi64>)
// CHECK: %[[NONE:.*]] = arith.constant -1 : i64
// CHECK: arith.select %{{.*}}, %{{.*}}, %[[NONE]] : i64
// CHECK: return %{{.*}}, %[[L]]
func.func @accessors(%c: !loom.kv_cache<1x1x8x4xf32>) -> (tensor<1x1x8xi64>, tensor<1xi64>) {
  %p = loom.kv.positions %c : !loom.kv_cache<1x1x8x4xf32> -> tensor<1x1x8xi64>
  %n = loom.kv.length %c : !loom.kv_cache<1x1x8x4xf32> -> tensor<1xi64>
  return %p, %n : tensor<1x1x8xi64>, tensor<1xi64>
}
