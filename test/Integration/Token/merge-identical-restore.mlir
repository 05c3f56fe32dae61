// ToMe on 12 tokens where three A tokens are exact copies of B tokens (token 0 =
// token 1, 4 = 9, 8 = 3; cosine 1, far above any random pair), r = 3: exactly those pairs
// merge, each merged row equals the shared token with size 2, and restoring through
// the source map reproduces the input exactly. Tolerance: rtol 0, atol 0 (the mean
// of two equal f32 values is exact).
//
// RUN: rm -rf %t && %python -m token_reference merge_identical %t
// RUN: loom-run %s --input %t/in_0.npy --compare %t/ref_0.npy --compare %t/ref_1.npy \
// RUN:   --compare %t/ref_2.npy --compare %t/in_0.npy --rtol 0 --atol 0 | FileCheck %s
// CHECK-COUNT-4: : ok

func.func @main(%x: tensor<2x12x8xf32>)
    -> (tensor<2x9x8xf32>, tensor<2x9xf32>, tensor<2x12xi64>, tensor<2x12x8xf32>) {
  %m, %sz, %src = loom.token.merge %x {r = 3}
      : (tensor<2x12x8xf32>) -> (tensor<2x9x8xf32>, tensor<2x9xf32>, tensor<2x12xi64>)
  %r = loom.token.restore %m source(%src)
      : (tensor<2x9x8xf32>, tensor<2x12xi64>) -> tensor<2x12x8xf32>
  return %m, %sz, %src, %r
      : tensor<2x9x8xf32>, tensor<2x9xf32>, tensor<2x12xi64>, tensor<2x12x8xf32>
}
