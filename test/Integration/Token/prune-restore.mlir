// Prune 7 of 12 tokens (class token pinned) then restore to 12: kept rows come back
// at their original positions, other rows are zeros (@zeros) or taken from a fill
// tensor (@filled). Copies only: tolerance 0 (rtol 0, atol 0).
//
// RUN: rm -rf %t && %python -m token_reference prune_restore %t
// RUN: loom-run %s --entry zeros --input %t/in_0.npy --input %t/in_1.npy \
// RUN:   --compare %t/ref_0.npy --compare %t/ref_2.npy --rtol 0 --atol 0 | FileCheck %s
// RUN: loom-run %s --entry filled --input %t/in_0.npy --input %t/in_1.npy \
// RUN:   --input %t/in_2.npy --compare %t/ref_1.npy --compare %t/ref_2.npy \
// RUN:   --rtol 0 --atol 0 | FileCheck %s
// The fill matters: the zero-filled reference must not match @filled.
// RUN: not loom-run %s --entry filled --input %t/in_0.npy --input %t/in_1.npy \
// RUN:   --input %t/in_2.npy --compare %t/ref_0.npy --rtol 0 --atol 0
// CHECK: result0: {{.*}}: ok
// CHECK: result1: {{.*}}: ok

func.func @zeros(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>)
    -> (tensor<2x12x8xf32>, tensor<2x7xi64>) {
  %k, %i = loom.token.prune %x, %s {keep = 7, pinned = array<i64: 0>}
      : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x7x8xf32>, tensor<2x7xi64>
  %r = loom.token.restore %k indices(%i)
      : (tensor<2x7x8xf32>, tensor<2x7xi64>) -> tensor<2x12x8xf32>
  return %r, %i : tensor<2x12x8xf32>, tensor<2x7xi64>
}

func.func @filled(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>, %f: tensor<2x12x8xf32>)
    -> (tensor<2x12x8xf32>, tensor<2x7xi64>) {
  %k, %i = loom.token.prune %x, %s {keep = 7, pinned = array<i64: 0>}
      : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x7x8xf32>, tensor<2x7xi64>
  %r = loom.token.restore %k indices(%i) fill(%f)
      : (tensor<2x7x8xf32>, tensor<2x7xi64>, tensor<2x12x8xf32>) -> tensor<2x12x8xf32>
  return %r, %i : tensor<2x12x8xf32>, tensor<2x7xi64>
}
