// RUN: loom-opt %s --split-input-file --loom-fuse-epilogues | FileCheck %s

// Bias and residual adds move into the matmul's accumulator. Numbers:
// test/Integration/Fusion/fusion.test runs fused against unfused models,
// test/Models/fusion.test every shared model.

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#bias3 = affine_map<(d0, d1, d2) -> (d2)>

// The importer's shape: matmul on [M,K] x [K,N], expand_shape to [1,M,N],
// then a bias add and a residual add. Both end in the accumulator: it is
// expand(broadcast(bias)) + residual, collapsed; no add after the matmul.
// CHECK-DAG:   #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG:   #[[B:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @bias_residual(
// CHECK-SAME:      %[[X:[^:]*]]: tensor<4x8xf32>, %[[W:[^:]*]]: tensor<8x6xf32>, %[[BIAS:[^:]*]]: tensor<6xf32>, %[[R:[^:]*]]: tensor<1x4x6xf32>
// CHECK:         %[[BB:.*]] = linalg.generic {indexing_maps = [#[[B]], #[[ID]]]{{.*}} ins(%[[BIAS]] : tensor<6xf32>)
// CHECK-NEXT:    ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      linalg.yield %[[IN]]
// CHECK:         %[[ACC:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]]]{{.*}} ins(%[[BB]], %[[R]] :
// CHECK:           arith.addf
// CHECK:         %[[C:.*]] = tensor.collapse_shape %[[ACC]] {{\[\[}}0, 1], [2]] : tensor<1x4x6xf32> into tensor<4x6xf32>
// CHECK:         %[[M:.*]] = linalg.matmul ins(%[[X]], %[[W]] : {{.*}}) outs(%[[C]] : tensor<4x6xf32>)
// CHECK-NEXT:    %[[E:.*]] = tensor.expand_shape %[[M]]
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[E]]
func.func @bias_residual(%x: tensor<4x8xf32>, %w: tensor<8x6xf32>, %bias: tensor<6xf32>, %r: tensor<1x4x6xf32>) -> tensor<1x4x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x6xf32>) -> tensor<4x6xf32>
  %m = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x6xf32>) outs(%f : tensor<4x6xf32>) -> tensor<4x6xf32>
  %x3 = tensor.expand_shape %m [[0, 1], [2]] output_shape [1, 4, 6] : tensor<4x6xf32> into tensor<1x4x6xf32>
  %e3 = tensor.empty() : tensor<1x4x6xf32>
  %b = linalg.generic {indexing_maps = [#id3, #bias3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x3, %bias : tensor<1x4x6xf32>, tensor<6xf32>) outs(%e3 : tensor<1x4x6xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x4x6xf32>
  // The residual on the left, as the importer writes `x + f(x)`.
  %y = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%r, %b : tensor<1x4x6xf32>, tensor<1x4x6xf32>) outs(%e3 : tensor<1x4x6xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x4x6xf32>
  return %y : tensor<1x4x6xf32>
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// A 2-D add straight on the matmul, whose destination is an argument (an
// accumulation): the accumulator becomes init + other.
// CHECK-LABEL: func.func @accumulate(
// CHECK-SAME:      %[[X:[^:]*]]: tensor<2x3xf32>, %[[W:[^:]*]]: tensor<3x2xf32>, %[[INIT:[^:]*]]: tensor<2x2xf32>, %[[R:[^:]*]]: tensor<2x2xf32>
// CHECK:         %[[ACC:.*]] = linalg.generic {{.*}} ins(%[[INIT]], %[[R]] :
// CHECK:           arith.addf
// CHECK:         %[[M:.*]] = linalg.matmul ins(%[[X]], %[[W]] : {{.*}}) outs(%[[ACC]] :
// CHECK-NEXT:    return %[[M]]
func.func @accumulate(%x: tensor<2x3xf32>, %w: tensor<3x2xf32>, %init: tensor<2x2xf32>, %r: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %m = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  %e = tensor.empty() : tensor<2x2xf32>
  %y = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%m, %r : tensor<2x2xf32>, tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// An activation between the matmul and the add: not linear in the
// accumulator, so nothing moves.
// CHECK-LABEL: func.func @negative_activation(
// CHECK:         linalg.matmul {{.*}} outs(%{{.*}} : tensor<2x2xf32>)
// CHECK:         math.tanh
// CHECK:         arith.addf
func.func @negative_activation(%x: tensor<2x3xf32>, %w: tensor<3x2xf32>, %r: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %m = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %t = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%m : tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = math.tanh %a : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  %y = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%t, %r : tensor<2x2xf32>, tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// The matmul's result has another user (it is also returned): moving the
// add into the accumulator would change that user's value.
// CHECK-LABEL: func.func @negative_other_user(
// CHECK:         %[[M:.*]] = linalg.matmul {{.*}} outs(%{{.*}} : tensor<2x2xf32>)
// CHECK:         %[[Y:.*]] = linalg.generic {{.*}} ins(%[[M]], %{{.*}} :
// CHECK:         return %[[M]], %[[Y]]
func.func @negative_other_user(%x: tensor<2x3xf32>, %w: tensor<3x2xf32>, %r: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %m = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%m, %r : tensor<2x2xf32>, tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  return %m, %y : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// A subtraction, and an add that also reads its output: not an epilogue add.
// CHECK-LABEL: func.func @negative_not_add(
// CHECK:         linalg.matmul {{.*}} outs(%{{.*}} : tensor<2x2xf32>)
// CHECK:         arith.subf
// CHECK:         linalg.matmul {{.*}} outs(%{{.*}} : tensor<2x2xf32>)
// CHECK:         arith.addf
// CHECK:         arith.addf
func.func @negative_not_add(%x: tensor<2x3xf32>, %w: tensor<3x2xf32>, %r: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %m = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%m, %r : tensor<2x2xf32>, tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.subf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  %m2 = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %z = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%m2, %r : tensor<2x2xf32>, tensor<2x2xf32>) outs(%r : tensor<2x2xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %t = arith.addf %s, %o : f32
    linalg.yield %t : f32
  } -> tensor<2x2xf32>
  return %y, %z : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// The residual is computed after the matmul: the accumulator could not be
// built before it, so nothing moves.
// CHECK-LABEL: func.func @negative_later_operand(
// CHECK:         linalg.matmul
// CHECK:         math.exp
// CHECK:         arith.addf
func.func @negative_later_operand(%x: tensor<2x3xf32>, %w: tensor<3x2xf32>, %r: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %m = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %later = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%r : tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = math.exp %a : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  %y = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%m, %later : tensor<2x2xf32>, tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// A computed residual is the accumulator itself (bufferization copies it if
// it is read again); no elementwise op is left after the matmul.
// CHECK-LABEL: func.func @computed_residual(
// CHECK:         %[[R:.*]] = linalg.generic
// CHECK:           math.exp
// CHECK:         %[[M:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : {{.*}}) outs(%[[R]] : tensor<2x2xf32>)
// CHECK-NEXT:    return %[[M]], %[[R]]
func.func @computed_residual(%x: tensor<2x3xf32>, %w: tensor<3x2xf32>, %a: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = math.exp %v : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %m = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%r, %m : tensor<2x2xf32>, tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  return %y, %r : tensor<2x2xf32>, tensor<2x2xf32>
}
