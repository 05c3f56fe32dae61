// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s -mlir-print-op-generic | loom-opt | FileCheck %s

// Round trip of loom.attention in each of its forms and of !loom.kv_cache.

// CHECK-LABEL: func @gqa_causal
func.func @gqa_causal(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32> {
  // CHECK: loom.attention %{{.*}}, %{{.*}}, %{{.*}} {causal, scale = 2.500000e-01 : f32} : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  %o = loom.attention %q, %k, %v {causal, scale = 0.25 : f32} : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  return %o : tensor<1x8x4x16xf32>
}

// CHECK-LABEL: func @window_sinks_mask_scores
func.func @window_sinks_mask_scores(%q: tensor<2x4x1x8xf16>, %k: tensor<2x1x9x8xf16>, %v: tensor<2x1x9x4xf16>, %m: tensor<2x1x1x9xf16>) -> (tensor<2x4x1x4xf16>, tensor<2x1x9xf32>) {
  // CHECK: loom.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}}) {causal, sinks = 2 : i64, window = 4 : i64}
  // CHECK-SAME: -> (tensor<2x4x1x4xf16>, tensor<2x1x9xf32>)
  %o, %s = loom.attention %q, %k, %v mask(%m) {causal, window = 4, sinks = 2} : (tensor<2x4x1x8xf16>, tensor<2x1x9x8xf16>, tensor<2x1x9x4xf16>, tensor<2x1x1x9xf16>) -> (tensor<2x4x1x4xf16>, tensor<2x1x9xf32>)
  return %o, %s : tensor<2x4x1x4xf16>, tensor<2x1x9xf32>
}

// CHECK-LABEL: func @hamming
func.func @hamming(%q: tensor<1x2x4x16xf32>, %k: tensor<1x2x4x16xf32>, %v: tensor<1x2x4x16xf32>) -> tensor<1x2x4x16xf32> {
  // CHECK: loom.attention {{.*}} {hamming}
  %o = loom.attention %q, %k, %v {hamming} : (tensor<1x2x4x16xf32>, tensor<1x2x4x16xf32>, tensor<1x2x4x16xf32>) -> tensor<1x2x4x16xf32>
  return %o : tensor<1x2x4x16xf32>
}

// CHECK-LABEL: func @from_cache
// CHECK-SAME: !loom.kv_cache<1x2x128x16xf32>
func.func @from_cache(%q: tensor<1x8x1x16xf32>, %c: !loom.kv_cache<1x2x128x16xf32>) -> (tensor<1x8x1x16xf32>, tensor<1x2x128xf32>) {
  // CHECK: loom.attention %{{.*}}, %{{.*}} {causal} : (tensor<1x8x1x16xf32>, !loom.kv_cache<1x2x128x16xf32>) -> (tensor<1x8x1x16xf32>, tensor<1x2x128xf32>)
  %o, %s = loom.attention %q, %c {causal} : (tensor<1x8x1x16xf32>, !loom.kv_cache<1x2x128x16xf32>) -> (tensor<1x8x1x16xf32>, tensor<1x2x128xf32>)
  return %o, %s : tensor<1x8x1x16xf32>, tensor<1x2x128xf32>
}

// CHECK-LABEL: func private @cache_types
// CHECK-SAME: !loom.kv_cache<1x2x128x16xf32, value_dim = 8>
// CHECK-SAME: !loom.kv_cache<2x4x256x64xf16, quant = <bits = 4, group = 32, residual = 32>>
// CHECK-SAME: !loom.kv_cache<1x1x64x8xf32, quant = <bits = 2, group = 8, residual = 0>>
func.func private @cache_types(!loom.kv_cache<1x2x128x16xf32, value_dim = 8>, !loom.kv_cache<2x4x256x64xf16, quant = <bits = 4, group = 32, residual = 32>>, !loom.kv_cache<1x1x64x8xf32, quant = <bits = 2>>)
