// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// Round trip of every loom.kv op in its custom syntax.

!cache = !loom.kv_cache<1x2x16x4xf32>
!vcache = !loom.kv_cache<1x2x16x4xf32, value_dim = 8>
!qcache = !loom.kv_cache<1x2x16x4xf32, quant = <bits = 4, group = 4, residual = 4>>

// CHECK-LABEL: func.func @init_append_accessors
func.func @init_append_accessors(%k: tensor<1x2x3x4xf32>, %v: tensor<1x2x3x8xf32>)
    -> (tensor<1x2x16x4xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16xi64>, tensor<1xi64>) {
  // CHECK: %[[C0:.*]] = loom.kv.init : !loom.kv_cache<1x2x16x4xf32, value_dim = 8>
  %c0 = loom.kv.init : !vcache
  // CHECK: %[[C1:.*]] = loom.kv.append %[[C0]], %{{.*}}, %{{.*}} : !loom.kv_cache<1x2x16x4xf32, value_dim = 8>, tensor<1x2x3x4xf32>, tensor<1x2x3x8xf32>
  %c1 = loom.kv.append %c0, %k, %v : !vcache, tensor<1x2x3x4xf32>, tensor<1x2x3x8xf32>
  // CHECK: loom.kv.keys %[[C1]] : !loom.kv_cache<1x2x16x4xf32, value_dim = 8> -> tensor<1x2x16x4xf32>
  %keys = loom.kv.keys %c1 : !vcache -> tensor<1x2x16x4xf32>
  // CHECK: loom.kv.values %[[C1]] : {{.*}} -> tensor<1x2x16x8xf32>
  %values = loom.kv.values %c1 : !vcache -> tensor<1x2x16x8xf32>
  // CHECK: loom.kv.positions %[[C1]] : {{.*}} -> tensor<1x2x16xi64>
  %pos = loom.kv.positions %c1 : !vcache -> tensor<1x2x16xi64>
  // CHECK: loom.kv.length %[[C1]] : {{.*}} -> tensor<1xi64>
  %len = loom.kv.length %c1 : !vcache -> tensor<1xi64>
  return %keys, %values, %pos, %len
      : tensor<1x2x16x4xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16xi64>, tensor<1xi64>
}

// CHECK-LABEL: func.func @evict
func.func @evict(%c: !cache, %s: tensor<1x2x16xf32>) -> (!cache, !cache, !cache) {
  // CHECK: loom.kv.evict window_sinks %{{.*}} {budget = 8 : i64, sinks = 2 : i64} : !loom.kv_cache<1x2x16x4xf32>
  %a = loom.kv.evict window_sinks %c {budget = 8, sinks = 2} : !cache
  // CHECK: loom.kv.evict h2o %{{.*}} scores(%{{.*}} : tensor<1x2x16xf32>) {budget_fraction = 5.000000e-01 : f32, recent = 2 : i64} : !loom.kv_cache<1x2x16x4xf32>
  %b = loom.kv.evict h2o %c scores(%s : tensor<1x2x16xf32>) {budget_fraction = 0.5 : f32, recent = 2} : !cache
  // CHECK: loom.kv.evict snapkv %{{.*}} scores(%{{.*}} : tensor<1x2x16xf32>) {budget = 8 : i64, kernel = 3 : i64, window = 4 : i64} : !loom.kv_cache<1x2x16x4xf32>
  %d = loom.kv.evict snapkv %c scores(%s : tensor<1x2x16xf32>) {budget = 8, window = 4, kernel = 3} : !cache
  return %a, %b, %d : !cache, !cache, !cache
}

// CHECK-LABEL: func.func @merge
func.func @merge(%c: !cache, %s: tensor<1x2x16xf32>) -> !cache {
  // CHECK: loom.kv.merge %{{.*}} scores(%{{.*}} : tensor<1x2x16xf32>) {budget = 8 : i64, recent = 2 : i64, sigma = 1.000000e+00 : f32, threshold = 8.000000e-01 : f32} : !loom.kv_cache<1x2x16x4xf32>
  %m = loom.kv.merge %c scores(%s : tensor<1x2x16xf32>) {budget = 8, recent = 2, threshold = 0.8 : f32, sigma = 1.0 : f32} : !cache
  return %m : !cache
}

// CHECK-LABEL: func.func @kept_scores
func.func @kept_scores(%c: !cache, %s: tensor<1x2x16xf32>) -> (tensor<1x2x16xf32>, tensor<1x2x16xf32>) {
  // CHECK: %{{.*}}, %[[KE:.*]] = loom.kv.evict h2o %{{.*}} scores(%{{.*}} : tensor<1x2x16xf32>) {budget = 8 : i64, recent = 2 : i64} : !loom.kv_cache<1x2x16x4xf32>, tensor<1x2x16xf32>
  %e, %ke = loom.kv.evict h2o %c scores(%s : tensor<1x2x16xf32>) {budget = 8, recent = 2} : !cache, tensor<1x2x16xf32>
  // CHECK: %{{.*}}, %[[KM:.*]] = loom.kv.merge %{{.*}} scores(%{{.*}} : tensor<1x2x16xf32>) {{.*}} : !loom.kv_cache<1x2x16x4xf32>, tensor<1x2x16xf32>
  %m, %km = loom.kv.merge %c scores(%s : tensor<1x2x16xf32>) {budget = 8, threshold = 0.8 : f32, sigma = 1.0 : f32} : !cache, tensor<1x2x16xf32>
  return %ke, %km : tensor<1x2x16xf32>, tensor<1x2x16xf32>
}

// CHECK-LABEL: func.func @quantize
func.func @quantize(%c: !cache) -> !cache {
  // CHECK: %[[Q:.*]] = loom.kv.quantize %{{.*}} : !loom.kv_cache<1x2x16x4xf32> -> !loom.kv_cache<1x2x16x4xf32, quant = <bits = 4, group = 4, residual = 4>>
  %q = loom.kv.quantize %c : !cache -> !qcache
  // CHECK: loom.kv.dequantize %[[Q]] : !loom.kv_cache<1x2x16x4xf32, quant = <bits = 4, group = 4, residual = 4>> -> !loom.kv_cache<1x2x16x4xf32>
  %d = loom.kv.dequantize %q : !qcache -> !cache
  return %d : !cache
}

// CHECK-LABEL: func.func @project
func.func @project(%k: tensor<1x2x12x16xf32>, %p: tensor<2x16x4xf32>, %o: tensor<1x4x1x4xf32>) -> (tensor<1x2x12x4xf32>, tensor<1x4x1x16xf32>) {
  // CHECK: loom.kv.project %{{.*}}, %{{.*}} : tensor<1x2x12x16xf32>, tensor<2x16x4xf32> -> tensor<1x2x12x4xf32>
  %kr = loom.kv.project %k, %p : tensor<1x2x12x16xf32>, tensor<2x16x4xf32> -> tensor<1x2x12x4xf32>
  // CHECK: loom.kv.project %{{.*}}, %{{.*}} {reconstruct} : tensor<1x4x1x4xf32>, tensor<2x16x4xf32> -> tensor<1x4x1x16xf32>
  %r = loom.kv.project %o, %p {reconstruct} : tensor<1x4x1x4xf32>, tensor<2x16x4xf32> -> tensor<1x4x1x16xf32>
  return %kr, %r : tensor<1x2x12x4xf32>, tensor<1x4x1x16xf32>
}
