// RUN: loom-opt %s --split-input-file --loom-merge-tokens=r=2 | FileCheck %s
// The option variants on the first case only (the others have one block):
// RUN: sed '/^\/\/ -----/,$d' %s | loom-opt --loom-merge-tokens="r=2 layers=1" \
// RUN:   | FileCheck %s --check-prefix=LAYER1
// RUN: sed '/^\/\/ -----/,$d' %s \
// RUN:   | loom-opt --loom-merge-tokens="r=3 protect-first=false proportional=false" \
// RUN:   | FileCheck %s --check-prefix=PLAIN
// Numbers are checked by execution in test/Integration/Token/merge-tokens-encoder.mlir
// and test/Models/merge-tokens.test; this file checks where the ops go.

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// Two blocks (attention over x, residual add, an elementwise "MLP"), S = 9.
// CHECK-LABEL: func.func @two_blocks
// CHECK: loom.attention %[[Q0:[^,]*]], 
// CHECK: %[[H0:.*]] = linalg.generic {{.*}} ins(%arg0, %{{.*}} : tensor<1x9x4xf32>, tensor<1x9x4xf32>)
// The head mean of the keys [B,H,S,Dh] -> [B,S,Dh].
// CHECK: %[[K0:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[Q0]] : tensor<1x1x9x4xf32>)
// CHECK: %[[M0:.*]], %[[SZ0:.*]], %[[SRC0:.*]] = loom.token.merge %[[H0]] keys(%[[K0]]) {protect_first, r = 2 : i64} : (tensor<1x9x4xf32>, tensor<1x9x4xf32>) -> (tensor<1x7x4xf32>, tensor<1x7xf32>, tensor<1x9xi64>)
// CHECK: linalg.generic {{.*}} ins(%[[M0]] : tensor<1x7x4xf32>)
// Proportional attention: log(size) of the keys as a [B,1,1,S'] mask.
// CHECK: %[[LOG:.*]] = linalg.generic {{.*}} ins(%[[SZ0]] : tensor<1x7xf32>)
// CHECK: math.log
// CHECK: %[[MASK:.*]] = tensor.expand_shape %[[LOG]] {{\[}}[0, 1, 2], [3]] output_shape [1, 1, 1, 7]
// CHECK: loom.attention %{{.*}} mask(%[[MASK]]) : ({{.*}}tensor<1x1x1x7xf32>) -> tensor<1x1x7x4xf32>
// CHECK: %[[M1:.*]], %{{.*}}, %[[SRC1:.*]] = loom.token.merge %{{.*}} keys(%{{.*}}) sizes(%[[SZ0]]) {protect_first, r = 2 : i64} : (tensor<1x7x4xf32>, tensor<1x7x4xf32>, tensor<1x7xf32>) -> (tensor<1x5x4xf32>, tensor<1x5xf32>, tensor<1x7xi64>)
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[M1]] : tensor<1x5x4xf32>)
// The output needs every token: restored through both merges.
// CHECK: %[[R1:.*]] = loom.token.restore %[[Y]] source(%[[SRC1]]) : (tensor<1x5x4xf32>, tensor<1x7xi64>) -> tensor<1x7x4xf32>
// CHECK: %[[R0:.*]] = loom.token.restore %[[R1]] source(%[[SRC0]]) : (tensor<1x7x4xf32>, tensor<1x9xi64>) -> tensor<1x9x4xf32>
// CHECK: return %[[R0]]

// layers=1: the first attention keeps its 9 tokens and no mask; no attention
// follows the only merge, so there is no mask at all.
// LAYER1-LABEL: func.func @two_blocks
// LAYER1-NOT: mask(
// LAYER1: loom.token.merge %{{.*}} keys(%{{.*}}) {protect_first, r = 2 : i64} : (tensor<1x9x4xf32>
// LAYER1-NOT: loom.token.merge
// LAYER1: loom.token.restore %{{.*}} source(%{{.*}}) : (tensor<1x7x4xf32>, tensor<1x9xi64>) -> tensor<1x9x4xf32>
// LAYER1-NOT: loom.token.restore

// Without protect-first and proportional: no protect_first, no mask; 9 -> 6 -> 3
// tokens.
// PLAIN-LABEL: func.func @two_blocks
// PLAIN-NOT: mask(
// PLAIN: loom.token.merge %{{.*}} keys(%{{.*}}) {r = 3 : i64} : (tensor<1x9x4xf32>, tensor<1x9x4xf32>) -> (tensor<1x6x4xf32>
// PLAIN-NOT: mask(
// PLAIN: loom.token.merge %{{.*}} keys(%{{.*}}) sizes(%{{.*}}) {r = 3 : i64} : (tensor<1x6x4xf32>, tensor<1x6x4xf32>, tensor<1x6xf32>) -> (tensor<1x3x4xf32>
func.func @two_blocks(%x: tensor<1x9x4xf32>) -> tensor<1x9x4xf32> {
  %e = tensor.empty() : tensor<1x9x4xf32>
  %q0 = tensor.expand_shape %x [[0, 1], [2], [3]] output_shape [1, 1, 9, 4] : tensor<1x9x4xf32> into tensor<1x1x9x4xf32>
  %a0 = loom.attention %q0, %q0, %q0 : (tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>) -> tensor<1x1x9x4xf32>
  %o0 = tensor.collapse_shape %a0 [[0, 1], [2], [3]] : tensor<1x1x9x4xf32> into tensor<1x9x4xf32>
  %h0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %o0 : tensor<1x9x4xf32>, tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %r: f32, %u: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  %y0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h0 : tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %u: f32):
    %s = arith.mulf %l, %l : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  %q1 = tensor.expand_shape %y0 [[0, 1], [2], [3]] output_shape [1, 1, 9, 4] : tensor<1x9x4xf32> into tensor<1x1x9x4xf32>
  %a1 = loom.attention %q1, %q1, %q1 : (tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>) -> tensor<1x1x9x4xf32>
  %o1 = tensor.collapse_shape %a1 [[0, 1], [2], [3]] : tensor<1x1x9x4xf32> into tensor<1x9x4xf32>
  %h1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y0, %o1 : tensor<1x9x4xf32>, tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %r: f32, %u: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  %y1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h1 : tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %u: f32):
    %s = arith.mulf %l, %l : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  return %y1 : tensor<1x9x4xf32>
}

// -----

// negative_: a function without attention beside one with it is left alone.
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @negative_no_attention
// CHECK-NOT: loom.token
// CHECK: return %arg0
func.func @negative_no_attention(%x: tensor<1x9x4xf32>) -> tensor<1x9x4xf32> {
  return %x : tensor<1x9x4xf32>
}
func.func @one_block(%x: tensor<1x9x4xf32>) -> tensor<1x9x4xf32> {
  %e = tensor.empty() : tensor<1x9x4xf32>
  %q0 = tensor.expand_shape %x [[0, 1], [2], [3]] output_shape [1, 1, 9, 4] : tensor<1x9x4xf32> into tensor<1x1x9x4xf32>
  %a0 = loom.attention %q0, %q0, %q0 : (tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>) -> tensor<1x1x9x4xf32>
  %o0 = tensor.collapse_shape %a0 [[0, 1], [2], [3]] : tensor<1x1x9x4xf32> into tensor<1x9x4xf32>
  %h0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %o0 : tensor<1x9x4xf32>, tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %r: f32, %u: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  %y0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%h0 : tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %u: f32):
    %s = arith.mulf %l, %l : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  return %y0 : tensor<1x9x4xf32>
}

// -----

// negative_: the attention output added to a tensor the query is not computed
// from is not the residual add; the residual add after it is.
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @negative_other_add
// CHECK: %[[OTHER:.*]] = linalg.generic {{.*}} ins(%arg1, %{{.*}} :
// CHECK-NOT: loom.token.merge %[[OTHER]]
// CHECK: %[[H:.*]] = linalg.generic {{.*}} ins(%arg0, %[[OTHER]] :
// CHECK: loom.token.merge %[[H]]
func.func @negative_other_add(%x: tensor<1x9x4xf32>, %b: tensor<1x9x4xf32>) -> tensor<1x9x4xf32> {
  %e = tensor.empty() : tensor<1x9x4xf32>
  %q0 = tensor.expand_shape %x [[0, 1], [2], [3]] output_shape [1, 1, 9, 4] : tensor<1x9x4xf32> into tensor<1x1x9x4xf32>
  %a0 = loom.attention %q0, %q0, %q0 : (tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>, tensor<1x1x9x4xf32>) -> tensor<1x1x9x4xf32>
  %o0 = tensor.collapse_shape %a0 [[0, 1], [2], [3]] : tensor<1x1x9x4xf32> into tensor<1x9x4xf32>
  %other = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%b, %o0 : tensor<1x9x4xf32>, tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %r: f32, %u: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  %h = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %other : tensor<1x9x4xf32>, tensor<1x9x4xf32>) outs(%e : tensor<1x9x4xf32>) {
  ^bb0(%l: f32, %r: f32, %u: f32):
    %s = arith.addf %l, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x9x4xf32>
  return %h : tensor<1x9x4xf32>
}
