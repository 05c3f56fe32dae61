// RUN: loom-opt %s --convert-loom-to-linalg -split-input-file -verify-diagnostics | FileCheck %s
// Structure of the reference lowering of linear and block-sparse attention. The numbers
// are checked by the execution tests in test/Integration/Attention.

// Causal linear attention with state: the key sums start from the carried state and are
// returned as the new state; the causal quadratic form masks j > i.
// CHECK-LABEL: func @linear_causal_state
// CHECK-SAME: %[[V:[a-z0-9]+]]: tensor<1x2x4x4xf32>, %[[S:[a-z0-9]+]]: tensor<1x2x8x4xf32>, %[[Z:[a-z0-9]+]]: tensor<1x2x8xf32>
// CHECK: %[[PHIQ:.*]] = linalg.generic {{.*}} ins(%arg0
// CHECK:   math.exp
// CHECK: %[[PHIK:.*]] = linalg.generic {{.*}} ins(%arg1
// CHECK: %[[SOUT:.*]] = linalg.generic {{.*}} ins(%[[PHIK]], %[[V]] : {{.*}} outs(%[[S]] :
// CHECK: %[[ZOUT:.*]] = linalg.generic {{.*}} ins(%[[PHIK]] : {{.*}} outs(%[[Z]] :
// CHECK: linalg.generic {{.*}} ins(%[[PHIQ]], %[[PHIK]]
// CHECK:   arith.cmpi sle
// CHECK:   arith.divf
// CHECK: return %{{.*}}, %[[SOUT]], %[[ZOUT]]
func.func @linear_causal_state(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>,
                               %v: tensor<1x2x4x4xf32>, %s: tensor<1x2x8x4xf32>,
                               %z: tensor<1x2x8xf32>)
    -> (tensor<1x2x4x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>) {
  %o, %s1, %z1 = loom.linear_attention %q, %k, %v state(%s, %z) {causal}
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>,
         tensor<1x2x8x4xf32>, tensor<1x2x8xf32>)
      -> (tensor<1x2x4x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>)
  return %o, %s1, %z1 : tensor<1x2x4x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xf32>
}

// -----

// Non-causal relu: no quadratic form, no exp.
// CHECK-LABEL: func @linear_noncausal_relu
// CHECK-NOT: math.exp
// CHECK-NOT: arith.cmpi
// CHECK: arith.maximumf
// CHECK: arith.divf
// CHECK: return
func.func @linear_noncausal_relu(%q: tensor<1x1x3x4xbf16>, %k: tensor<1x1x5x4xbf16>,
                                 %v: tensor<1x1x5x2xbf16>) -> tensor<1x1x3x2xbf16> {
  %o = loom.linear_attention %q, %k, %v feature_map(relu)
      : (tensor<1x1x3x4xbf16>, tensor<1x1x5x4xbf16>, tensor<1x1x5x2xbf16>)
      -> tensor<1x1x3x2xbf16>
  return %o : tensor<1x1x3x2xbf16>
}

// -----

// A static block mask becomes a constant expanded to an additive 0/-inf mask per key,
// shared by all heads ([1,1,Sq,Skv]).
// CHECK-DAG: #[[BLOCKS:.*]] = affine_map<(d0, d1, d2, d3) -> (d2 floordiv 4, d3 floordiv 4)>
// CHECK-LABEL: func @block_sparse_static
// CHECK: %[[MASK:.*]] = arith.constant dense<{{\[}}[true, false], [false, true]]> : tensor<2x2xi1>
// CHECK: linalg.generic {indexing_maps = [#[[BLOCKS]], {{.*}} ins(%[[MASK]] : tensor<2x2xi1>) outs({{.*}} : tensor<1x1x8x8xf16>)
// CHECK:   arith.constant 0xFF800000 : f32
// CHECK-NOT: loom.
// CHECK: math.exp
func.func @block_sparse_static(%q: tensor<1x2x8x4xf16>, %k: tensor<1x1x8x4xf16>,
                               %v: tensor<1x1x8x4xf16>) -> tensor<1x2x8x4xf16> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 4, block_k = 4,
      block_mask = dense<[[true, false], [false, true]]> : tensor<2x2xi1>}
      : (tensor<1x2x8x4xf16>, tensor<1x1x8x4xf16>, tensor<1x1x8x4xf16>)
      -> tensor<1x2x8x4xf16>
  return %o : tensor<1x2x8x4xf16>
}

// -----

// Top-k: blocks are mean-pooled through an expand_shape, ranked, and selected as i1.
// CHECK-LABEL: func @block_sparse_top_k
// CHECK: tensor.expand_shape %arg0 {{\[}}[0], [1], [2, 3], [4]] {{.*}} : tensor<1x2x8x4xf32> into tensor<1x2x2x4x4xf32>
// CHECK: tensor.expand_shape %arg1 {{\[}}[0], [1], [2, 3], [4]] {{.*}} : tensor<1x1x16x4xf32> into tensor<1x1x4x4x4xf32>
// CHECK: } -> tensor<1x2x2x4xi64>
// CHECK: } -> tensor<1x2x2x4xi1>
// CHECK-NOT: loom.
// CHECK: return
func.func @block_sparse_top_k(%q: tensor<1x2x8x4xf32>, %k: tensor<1x1x16x4xf32>,
                              %v: tensor<1x1x16x4xf32>) -> tensor<1x2x8x4xf32> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 4, block_k = 4, top_k = 2, causal}
      : (tensor<1x2x8x4xf32>, tensor<1x1x16x4xf32>, tensor<1x1x16x4xf32>)
      -> tensor<1x2x8x4xf32>
  return %o : tensor<1x2x8x4xf32>
}

// -----

// Threshold: the scaled block scores become a softmax (exp) over the key blocks, the
// mass before each block is an f32 reduction over the blocks, and the selection an i1
// compare against t; no i64 ranks as for top-k.
// CHECK-LABEL: func @block_sparse_threshold
// CHECK-NOT: xi64>
// CHECK: math.exp
// CHECK: } -> tensor<1x2x2x4xf32>
// CHECK: arith.cmpf olt, %{{.*}}, %cst{{.*}} : f32
// CHECK: } -> tensor<1x2x2x4xi1>
// CHECK-NOT: loom.block_sparse_attention
// CHECK: return
func.func @block_sparse_threshold(%q: tensor<1x2x8x4xf32>, %k: tensor<1x1x16x4xf32>,
                                  %v: tensor<1x1x16x4xf32>) -> tensor<1x2x8x4xf32> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 4, block_k = 4, threshold = 0.75 : f32, causal}
      : (tensor<1x2x8x4xf32>, tensor<1x1x16x4xf32>, tensor<1x1x16x4xf32>)
      -> tensor<1x2x8x4xf32>
  return %o : tensor<1x2x8x4xf32>
}

// -----

// negative_: dynamic shapes are verifier-valid but not lowered; the pass fails cleanly.
func.func @negative_linear_dynamic(%q: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  // expected-error @+1 {{failed to legalize operation 'loom.linear_attention'}}
  %o = loom.linear_attention %q, %q, %q {causal}
      : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}

// -----

// Hamming attention: the score reduction compares sign bits (x >= 0) and adds +-1
// instead of multiplying.
// CHECK-LABEL: func @hamming
// CHECK: linalg.generic
// CHECK-DAG:   %[[QBIT:.*]] = arith.cmpf oge, %in,
// CHECK-DAG:   %[[KBIT:.*]] = arith.cmpf oge, %in_{{[0-9]+}},
// CHECK:       %[[SAME:.*]] = arith.cmpi eq, %[[QBIT]], %[[KBIT]] : i1
// CHECK:       arith.select %[[SAME]], %{{.*}}, %{{.*}} : f32
// CHECK-NOT:   arith.mulf
// CHECK:       linalg.yield
func.func @hamming(%q: tensor<1x2x4x16xf32>, %k: tensor<1x1x4x16xf32>,
                   %v: tensor<1x1x4x16xf32>) -> tensor<1x2x4x16xf32> {
  %o = loom.attention %q, %k, %v {hamming}
      : (tensor<1x2x4x16xf32>, tensor<1x1x4x16xf32>, tensor<1x1x4x16xf32>)
      -> tensor<1x2x4x16xf32>
  return %o : tensor<1x2x4x16xf32>
}
