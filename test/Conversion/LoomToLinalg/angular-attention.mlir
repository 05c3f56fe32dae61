// RUN: loom-opt %s --convert-loom-to-linalg -split-input-file -verify-diagnostics | FileCheck %s
// Structure of the reference lowering of loom.angular_attention. The numbers are checked
// by test/Integration/Attention/angular-attention.mlir.

// Non-causal: linear time (no [S,S] tensor), q and k L2-normalised with sqrt and max
// against eps, the contractions batched over one dimension (B*Hkv) with the GQA group's
// query heads stacked along the rows, the values zero-padded by K/2 = 1 on the token
// axis for the conv branch.
// CHECK-LABEL: func @angular_local
// CHECK-NOT: tensor<1x16x8xf32>
// CHECK: math.sqrt
// CHECK: arith.maximumf
// CHECK: } -> tensor<1x4x4xf32>
// CHECK: } -> tensor<1x16x4xf32>
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x2x8x4xf32>
// CHECK: tensor.insert_slice %arg2 into %{{.*}}[0, 0, 1, 0] [1, 1, 8, 4] [1, 1, 1, 1] : tensor<1x1x8x4xf32> into tensor<1x1x10x4xf32>
// CHECK: arith.divf
// CHECK-NOT: loom.
// CHECK: return
func.func @angular_local(%q: tensor<1x2x8x4xf32>, %k: tensor<1x1x8x4xf32>,
                         %v: tensor<1x1x8x4xf32>, %w: tensor<1x3xf32>) -> tensor<1x2x8x4xf32> {
  %o = loom.angular_attention %q, %k, %v local(%w)
      : (tensor<1x2x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x3xf32>)
      -> tensor<1x2x8x4xf32>
  return %o : tensor<1x2x8x4xf32>
}

// -----

// Causal: the quadratic form with the j <= i mask, on the grouped layout
// [B*Hkv, G*Sq, Skv] (query row r = g*Sq + i, so i = r mod Sq).
// CHECK-LABEL: func @angular_causal
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x16x4xf32>
// CHECK: arith.remsi
// CHECK: arith.cmpi sle
// CHECK: } -> tensor<1x16x8xf32>
// CHECK-NOT: loom.
// CHECK: return
func.func @angular_causal(%q: tensor<1x2x8x4xf32>, %k: tensor<1x1x8x4xf32>,
                          %v: tensor<1x1x8x4xf32>) -> tensor<1x2x8x4xf32> {
  %o = loom.angular_attention %q, %k, %v {causal}
      : (tensor<1x2x8x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) -> tensor<1x2x8x4xf32>
  return %o : tensor<1x2x8x4xf32>
}

// -----

// negative_: dynamic shapes are verifier-valid but not lowered; the pass fails cleanly.
func.func @negative_angular_dynamic(%q: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  // expected-error @+1 {{failed to legalize operation 'loom.angular_attention'}}
  %o = loom.angular_attention %q, %q, %q
      : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}
