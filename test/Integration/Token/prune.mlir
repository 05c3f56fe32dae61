// loom.token.prune on seeded random inputs:
// - @count: keep = 5 of 12, class token pinned although its score is the lowest.
// - @ratio / @ratio_unpinned: keep_ratio 0.3 of 10 keeps 3 (pins 0 and 9, given out of
//   order), keep_ratio 0.55 keeps ceil(5.5) = 6.
// - @ties: integer scores with many ties and a NaN (ranks as -inf): ties go to the
//   lowest index; kept tokens come back in their original order.
// Kept rows are copies and indices integers: tolerance 0 (rtol 0, atol 0).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m token_reference prune_count %t/count
// RUN: loom-run %s --entry count --input %t/count/in_0.npy --input %t/count/in_1.npy \
// RUN:   --compare %t/count/ref_0.npy --compare %t/count/ref_1.npy --rtol 0 --atol 0 \
// RUN:   | FileCheck %s --check-prefix=TWO
// RUN: %python -m token_reference prune_ratio %t/ratio
// RUN: loom-run %s --entry ratio --input %t/ratio/in_0.npy --input %t/ratio/in_1.npy \
// RUN:   --compare %t/ratio/ref_0.npy --compare %t/ratio/ref_1.npy --rtol 0 --atol 0 \
// RUN:   | FileCheck %s --check-prefix=TWO
// RUN: loom-run %s --entry ratio_unpinned --input %t/ratio/in_0.npy \
// RUN:   --input %t/ratio/in_1.npy --compare %t/ratio/ref_2.npy \
// RUN:   --compare %t/ratio/ref_3.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=TWO
// RUN: %python -m token_reference prune_ties %t/ties
// RUN: loom-run %s --entry ties --input %t/ties/in_0.npy --input %t/ties/in_1.npy \
// RUN:   --compare %t/ties/ref_0.npy --compare %t/ties/ref_1.npy --rtol 0 --atol 0 \
// RUN:   | FileCheck %s --check-prefix=TWO
// Without the pin the class token is dropped, so the pinned reference must not match.
// RUN: not loom-run %s --entry count_unpinned --input %t/count/in_0.npy \
// RUN:   --input %t/count/in_1.npy --compare %t/count/ref_0.npy \
// RUN:   --compare %t/count/ref_1.npy --rtol 0 --atol 0
// TWO: result0: {{.*}}: ok
// TWO: result1: {{.*}}: ok

func.func @count(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>)
    -> (tensor<2x5x8xf32>, tensor<2x5xi64>) {
  %k, %i = loom.token.prune %x, %s {keep = 5, pinned = array<i64: 0>}
      : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x5x8xf32>, tensor<2x5xi64>
  return %k, %i : tensor<2x5x8xf32>, tensor<2x5xi64>
}

func.func @count_unpinned(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>)
    -> (tensor<2x5x8xf32>, tensor<2x5xi64>) {
  %k, %i = loom.token.prune %x, %s {keep = 5}
      : tensor<2x12x8xf32>, tensor<2x12xf32> -> tensor<2x5x8xf32>, tensor<2x5xi64>
  return %k, %i : tensor<2x5x8xf32>, tensor<2x5xi64>
}

func.func @ratio(%x: tensor<2x10x6xf32>, %s: tensor<2x10xf32>)
    -> (tensor<2x3x6xf32>, tensor<2x3xi64>) {
  %k, %i = loom.token.prune %x, %s {keep_ratio = 0.3 : f32, pinned = array<i64: 9, 0>}
      : tensor<2x10x6xf32>, tensor<2x10xf32> -> tensor<2x3x6xf32>, tensor<2x3xi64>
  return %k, %i : tensor<2x3x6xf32>, tensor<2x3xi64>
}

func.func @ratio_unpinned(%x: tensor<2x10x6xf32>, %s: tensor<2x10xf32>)
    -> (tensor<2x6x6xf32>, tensor<2x6xi64>) {
  %k, %i = loom.token.prune %x, %s {keep_ratio = 0.55 : f32}
      : tensor<2x10x6xf32>, tensor<2x10xf32> -> tensor<2x6x6xf32>, tensor<2x6xi64>
  return %k, %i : tensor<2x6x6xf32>, tensor<2x6xi64>
}

func.func @ties(%x: tensor<2x16x4xf32>, %s: tensor<2x16xf32>)
    -> (tensor<2x6x4xf32>, tensor<2x6xi64>) {
  %k, %i = loom.token.prune %x, %s {keep = 6, pinned = array<i64: 3>}
      : tensor<2x16x4xf32>, tensor<2x16xf32> -> tensor<2x6x4xf32>, tensor<2x6xi64>
  return %k, %i : tensor<2x6x4xf32>, tensor<2x6xi64>
}
