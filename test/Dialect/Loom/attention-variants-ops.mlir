// RUN: loom-opt %s -split-input-file | loom-opt -split-input-file | FileCheck %s
// Round trip of the attention variants: linear, block-sparse, Hamming softmax, angular.

// CHECK-LABEL: func @linear_defaults
// The default feature map (elu_plus_one) and eps are not printed.
// CHECK: loom.linear_attention %{{.*}}, %{{.*}}, %{{.*}} : (
func.func @linear_defaults(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>,
                           %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %o = loom.linear_attention %q, %k, %v
      : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>)
      -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// A decode step: causal, carried state in and out, non-default feature map and eps.
// CHECK-LABEL: func @linear_state
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x1x16xbf16>, %[[K:.*]]: tensor<2x4x1x16xbf16>, %[[V:.*]]: tensor<2x4x1x8xbf16>, %[[S:.*]]: tensor<2x4x16x8xf32>, %[[Z:.*]]: tensor<2x4x16xf32>)
// CHECK: %{{.*}}, %{{.*}}:2 = loom.linear_attention %[[Q]], %[[K]], %[[V]] state(%[[S]], %[[Z]]) feature_map(relu) {causal, eps = 9.99999974E-6 : f32}
func.func @linear_state(%q: tensor<2x4x1x16xbf16>, %k: tensor<2x4x1x16xbf16>,
                        %v: tensor<2x4x1x8xbf16>, %s: tensor<2x4x16x8xf32>,
                        %z: tensor<2x4x16xf32>)
    -> (tensor<2x4x1x8xbf16>, tensor<2x4x16x8xf32>, tensor<2x4x16xf32>) {
  %o, %s1, %z1 = loom.linear_attention %q, %k, %v state(%s, %z)
      feature_map(relu) {causal, eps = 1.0e-5 : f32}
      : (tensor<2x4x1x16xbf16>, tensor<2x4x1x16xbf16>, tensor<2x4x1x8xbf16>,
         tensor<2x4x16x8xf32>, tensor<2x4x16xf32>)
      -> (tensor<2x4x1x8xbf16>, tensor<2x4x16x8xf32>, tensor<2x4x16xf32>)
  return %o, %s1, %z1 : tensor<2x4x1x8xbf16>, tensor<2x4x16x8xf32>, tensor<2x4x16xf32>
}

// -----

// Non-causal cross attention: key length differs from query length.
// CHECK-LABEL: func @linear_cross
// CHECK: loom.linear_attention %{{.*}}, %{{.*}}, %{{.*}} feature_map(identity) :
func.func @linear_cross(%q: tensor<1x2x3x8xf32>, %k: tensor<1x2x5x8xf32>,
                        %v: tensor<1x2x5x4xf32>) -> tensor<1x2x3x4xf32> {
  %o = loom.linear_attention %q, %k, %v feature_map(identity)
      : (tensor<1x2x3x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x4xf32>)
      -> tensor<1x2x3x4xf32>
  return %o : tensor<1x2x3x4xf32>
}

// -----

// CHECK-LABEL: func @block_sparse_mask
// CHECK: loom.block_sparse_attention %{{.*}}, %{{.*}}, %{{.*}} {block_k = 8 : i64, block_mask = dense<{{\[}}[true, false], [true, true]]> : tensor<2x2xi1>, block_q = 8 : i64, causal}
func.func @block_sparse_mask(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>,
                             %v: tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, causal,
      block_mask = dense<[[true, false], [true, true]]> : tensor<2x2xi1>}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>)
      -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

// CHECK-LABEL: func @block_sparse_top_k
// CHECK: loom.block_sparse_attention {{.*}} {block_k = 16 : i64, block_q = 4 : i64, scale = 2.500000e-01 : f32, top_k = 2 : i64}
func.func @block_sparse_top_k(%q: tensor<1x4x8x16xf16>, %k: tensor<1x1x64x16xf16>,
                              %v: tensor<1x1x64x32xf16>) -> tensor<1x4x8x32xf16> {
  %o = loom.block_sparse_attention %q, %k, %v
      {block_q = 4, block_k = 16, top_k = 2, scale = 0.25 : f32}
      : (tensor<1x4x8x16xf16>, tensor<1x1x64x16xf16>, tensor<1x1x64x32xf16>)
      -> tensor<1x4x8x32xf16>
  return %o : tensor<1x4x8x32xf16>
}

// -----

// CHECK-LABEL: func @hamming
// CHECK: loom.attention {{.*}} {causal, hamming}
func.func @hamming(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>,
                   %v: tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %o = loom.attention %q, %k, %v {causal, hamming}
      : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>)
      -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// CHECK-LABEL: func @block_sparse_threshold
// CHECK: loom.block_sparse_attention {{.*}} {block_k = 8 : i64, block_q = 8 : i64, causal, threshold = 0.899999976 : f32}
func.func @block_sparse_threshold(%q: tensor<1x4x32x8xf32>, %k: tensor<1x2x32x8xf32>,
                                  %v: tensor<1x2x32x8xf32>) -> tensor<1x4x32x8xf32> {
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, threshold = 0.9 : f32, causal}
      : (tensor<1x4x32x8xf32>, tensor<1x2x32x8xf32>, tensor<1x2x32x8xf32>) -> tensor<1x4x32x8xf32>
  return %o : tensor<1x4x32x8xf32>
}

// -----

// The default eps (1e-12) is not printed; the local branch is an operand.
// CHECK-LABEL: func @angular_local
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x17x8xf32>, %[[K:.*]]: tensor<1x4x17x8xf32>, %[[V:.*]]: tensor<1x4x17x8xf32>, %[[W:.*]]: tensor<4x9xf32>)
// CHECK: loom.angular_attention %[[Q]], %[[K]], %[[V]] local(%[[W]]) : (
func.func @angular_local(%q: tensor<1x4x17x8xf32>, %k: tensor<1x4x17x8xf32>,
                         %v: tensor<1x4x17x8xf32>, %w: tensor<4x9xf32>) -> tensor<1x4x17x8xf32> {
  %o = loom.angular_attention %q, %k, %v local(%w)
      : (tensor<1x4x17x8xf32>, tensor<1x4x17x8xf32>, tensor<1x4x17x8xf32>, tensor<4x9xf32>)
      -> tensor<1x4x17x8xf32>
  return %o : tensor<1x4x17x8xf32>
}

// -----

// Causal, GQA 4:2, explicit eps, f16.
// CHECK-LABEL: func @angular_causal
// CHECK: loom.angular_attention %{{.*}}, %{{.*}}, %{{.*}} {causal, eps = 9.99999997E-7 : f32} : (tensor<1x4x8x16xf16>, tensor<1x2x8x16xf16>, tensor<1x2x8x8xf16>) -> tensor<1x4x8x8xf16>
func.func @angular_causal(%q: tensor<1x4x8x16xf16>, %k: tensor<1x2x8x16xf16>,
                          %v: tensor<1x2x8x8xf16>) -> tensor<1x4x8x8xf16> {
  %o = loom.angular_attention %q, %k, %v {causal, eps = 1.0e-6 : f32}
      : (tensor<1x4x8x16xf16>, tensor<1x2x8x16xf16>, tensor<1x2x8x8xf16>) -> tensor<1x4x8x8xf16>
  return %o : tensor<1x4x8x8xf16>
}
