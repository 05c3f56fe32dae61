// RUN: loom-opt %s -split-input-file --convert-loom-to-linalg -verify-diagnostics | FileCheck %s

// The token ops lower to linalg.generic chains on tensors; the numbers are checked by
// the execution tests in test/Integration/Token. These cases pin the structure.

// cls_attention reads only query row 0 and divides the head sum by H.
// CHECK-DAG: #[[CLS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2, 0, d1)>
// CHECK-LABEL: func.func @score_cls
// CHECK: linalg.generic {indexing_maps = [#[[CLS]], {{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK:   arith.addf
// CHECK: linalg.generic
// CHECK:   arith.constant 4.000000e+00 : f32
// CHECK:   arith.divf
// CHECK-NOT: loom.token
func.func @score_cls(%p: tensor<2x4x9x9xf32>) -> tensor<2x9xf32> {
  %s = loom.token.score cls_attention %p : tensor<2x4x9x9xf32> -> tensor<2x9xf32>
  return %s : tensor<2x9xf32>
}

// -----

// l2norm: f16 inputs are widened before squaring, then the square root.
// CHECK-LABEL: func.func @score_norm
// CHECK: linalg.generic
// CHECK:   arith.extf %{{.*}} : f16 to f32
// CHECK:   arith.mulf
// CHECK: linalg.generic
// CHECK:   math.sqrt
func.func @score_norm(%x: tensor<2x9x16xf16>) -> tensor<2x9xf32> {
  %s = loom.token.score l2norm %x : tensor<2x9x16xf16> -> tensor<2x9xf32>
  return %s : tensor<2x9xf32>
}

// -----

// Prune: NaN scores become -inf, pinned tokens are a constant mask, ranks count the
// non-pinned tokens ahead (higher score, or equal score and lower index), and the
// K - |pinned| = 4 best are kept with the pinned ones.
// CHECK-LABEL: func.func @prune
// CHECK: arith.cmpf uno
// CHECK: %[[PIN:.*]] = arith.constant dense<[true, false, false, false, false, false, false, false, false, false, false, false]> : tensor<12xi1>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}}, %{{.*}}, %[[PIN]] :
// CHECK:   arith.cmpf ogt
// CHECK:   arith.cmpf oeq
// CHECK:   arith.cmpi slt
// CHECK: linalg.generic
// CHECK:   arith.constant 4 : i64
// CHECK: %[[IDX:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x5xi64>)
// The gather reads each kept row at its (clamped) index: no reduction over rows.
// CHECK: %[[KEPT:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[IDX]] : tensor<2x5xi64>) outs(%{{.*}} : tensor<2x5x8xf32>)
// CHECK:   arith.minsi
// CHECK:   tensor.extract %{{.*}} : tensor<2x12x8xf32>
// CHECK:   arith.select
// CHECK: return %[[KEPT]], %[[IDX]]
func.func @prune(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>)
    -> (tensor<2x5x8xf32>, tensor<2x5xi64>) {
  %k, %i = loom.token.prune %x, %s {keep = 5, pinned = array<i64: 0>}
      : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x5x8xf32>, tensor<2x5xi64>
  return %k, %i : tensor<2x5x8xf32>, tensor<2x5xi64>
}

// -----

// Prune with a ratio: ceil(0.5 * 11) = 6 kept, no pins.
// CHECK-LABEL: func.func @prune_ratio
// CHECK: arith.constant 6 : i64
// CHECK: return {{.*}} : tensor<2x6x8xf32>, tensor<2x6xi64>
func.func @prune_ratio(%x: tensor<2x11x8xf32>, %s: tensor<2x11xf32>)
    -> (tensor<2x6x8xf32>, tensor<2x6xi64>) {
  %k, %i = loom.token.prune %x, %s {keep_ratio = 0.5 : f32}
      : tensor<2x11x8xf32>, tensor<2x11xf32> -> tensor<2x6x8xf32>, tensor<2x6xi64>
  return %k, %i : tensor<2x6x8xf32>, tensor<2x6xi64>
}

// -----

// Dynamic shapes are not lowered: the conversion reports the op (checked by
// -verify-diagnostics; a failed split prints nothing).
func.func @negative_prune_dynamic(%x: tensor<2x?x8xf32>, %s: tensor<2x?xf32>)
    -> tensor<2x?x8xf32> {
  // expected-error @+1 {{failed to legalize operation 'loom.token.prune'}}
  %k, %i = loom.token.prune %x, %s {keep = 2}
      : tensor<2x?x8xf32>, tensor<2x?xf32> -> tensor<2x2x8xf32>, tensor<2x2xi64>
  %c = tensor.cast %k : tensor<2x2x8xf32> to tensor<2x?x8xf32>
  return %c : tensor<2x?x8xf32>
}

// -----

// Merge: A = even tokens (2 * a), B = odd tokens (2 * m + 1) in the similarity
// product; each merged row starts from its surviving token's weighted row and
// adds the merged A tokens (a reduction over the r of them, not over every
// token); the size-weighted sums are divided by the merged sizes.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 * 2, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2 * 2 + 1, d3)>
// CHECK-LABEL: func.func @merge
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], {{.*}} outs(%{{.*}} : tensor<2x8x8xf32>)
// CHECK: %[[SIZES:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x12xf32>)
// CHECK: %[[OWN:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x12x8xf32>)
// CHECK: %[[SUMS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}} : tensor<2x4xi64>) outs(%[[OWN]] : tensor<2x12x8xf32>)
// CHECK: %[[MEANS:.*]] = linalg.generic {{.*}} ins(%[[SUMS]], %[[SIZES]] :
// CHECK:   arith.divf
// CHECK: return %[[MEANS]], %[[SIZES]], %{{.*}}
func.func @merge(%x: tensor<2x16x8xf32>)
    -> (tensor<2x12x8xf32>, tensor<2x12xf32>, tensor<2x16xi64>) {
  %m, %sz, %src = loom.token.merge %x {r = 4}
      : (tensor<2x16x8xf32>) -> (tensor<2x12x8xf32>, tensor<2x12xf32>, tensor<2x16xi64>)
  return %m, %sz, %src : tensor<2x12x8xf32>, tensor<2x12xf32>, tensor<2x16xi64>
}

// -----

// Restore with indices inverts them (pos[b,i] = the last k with idx[b,k] == i,
// else -1), then reads each found row and keeps the fill elsewhere.
// CHECK-LABEL: func.func @restore_fill
// CHECK-SAME: %[[K:[^:]*]]: tensor<2x7x8xf32>, %[[I:[^:]*]]: tensor<2x7xi64>, %[[F:[^:]*]]: tensor<2x12x8xf32>
// CHECK: %[[POS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[I]] : tensor<2x7xi64>) outs(%{{.*}} : tensor<2x12xi64>)
// CHECK:   arith.cmpi eq
// CHECK:   arith.maxsi
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[POS]], %[[F]] : tensor<2x12xi64>, tensor<2x12x8xf32>) outs(%[[F]] : tensor<2x12x8xf32>)
// CHECK:   tensor.extract %[[K]]
// CHECK:   arith.select
// CHECK: return %[[R]]
func.func @restore_fill(%k: tensor<2x7x8xf32>, %i: tensor<2x7xi64>, %f: tensor<2x12x8xf32>)
    -> tensor<2x12x8xf32> {
  %r = loom.token.restore %k indices(%i) fill(%f)
      : (tensor<2x7x8xf32>, tensor<2x7xi64>, tensor<2x12x8xf32>) -> tensor<2x12x8xf32>
  return %r : tensor<2x12x8xf32>
}

// -----

// Restore with a source map gathers each row from its representative.
// CHECK-LABEL: func.func @restore_source
// CHECK-SAME: %[[M:[^:]*]]: tensor<2x9x8xf32>, %[[S:[^:]*]]: tensor<2x12xi64>
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[S]] : tensor<2x12xi64>) outs(%{{.*}} : tensor<2x12x8xf32>)
// CHECK:   tensor.extract %[[M]]
// CHECK: return %[[R]]
func.func @restore_source(%m: tensor<2x9x8xf32>, %s: tensor<2x12xi64>) -> tensor<2x12x8xf32> {
  %r = loom.token.restore %m source(%s)
      : (tensor<2x9x8xf32>, tensor<2x12xi64>) -> tensor<2x12x8xf32>
  return %r : tensor<2x12x8xf32>
}
