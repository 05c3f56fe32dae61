// loom.token.merge (ToMe) on seeded random inputs, against a NumPy reference that
// asserts every match and the r-th/(r+1)-th choice are decided by a margin > 1e-4:
// - @self: keys are the tokens, unit sizes, S = 16, r = 5.
// - @keys_sizes: separate keys, input sizes in 1..4, odd S = 15, r = 7 (= S / 2);
//   several A tokens merge into one B token.
// - @half: f16 tokens, S = 10, r = 3.
// - @protect: protect_first keeps token 0 unmerged although it copies token 1;
//   r = 5 of 12, the most protect_first allows.
// Tolerance: rtol 1e-5, atol 1e-6 (f32 size-weighted means); for @half rtol 1e-3,
// atol 1e-3 (one f16 rounding of the f32 mean vs. of the f64 mean); sizes and the
// source map are exact.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m token_reference merge_self %t/self
// RUN: loom-run %s --entry self --input %t/self/in_0.npy --compare %t/self/ref_0.npy \
// RUN:   --compare %t/self/ref_1.npy --compare %t/self/ref_2.npy --rtol 1e-5 \
// RUN:   --atol 1e-6 | FileCheck %s
// RUN: %python -m token_reference merge_keys_sizes %t/ks
// RUN: loom-run %s --entry keys_sizes --input %t/ks/in_0.npy --input %t/ks/in_1.npy \
// RUN:   --input %t/ks/in_2.npy --compare %t/ks/ref_0.npy --compare %t/ks/ref_1.npy \
// RUN:   --compare %t/ks/ref_2.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: %python -m token_reference merge_f16 %t/f16
// RUN: loom-run %s --entry half --input %t/f16/in_0.npy --compare %t/f16/ref_0.npy \
// RUN:   --compare %t/f16/ref_1.npy --compare %t/f16/ref_2.npy --rtol 1e-3 \
// RUN:   --atol 1e-3 | FileCheck %s
// RUN: %python -m token_reference merge_protect %t/protect
// RUN: loom-run %s --entry protect --input %t/protect/in_0.npy \
// RUN:   --compare %t/protect/ref_0.npy --compare %t/protect/ref_1.npy \
// RUN:   --compare %t/protect/ref_2.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// Without protect_first token 0 (a copy of token 1) merges: the map must differ.
// RUN: not loom-run %s --entry unprotected --input %t/protect/in_0.npy \
// RUN:   --compare %t/protect/ref_2.npy --rtol 0 --atol 0
// Ignoring the input sizes changes the means: the unit-size run must not match.
// RUN: not loom-run %s --entry keys_only --input %t/ks/in_0.npy --input %t/ks/in_1.npy \
// RUN:   --compare %t/ks/ref_0.npy --rtol 1e-5 --atol 1e-6
// CHECK: result0: {{.*}}: ok
// CHECK: result1: {{.*}}: ok
// CHECK: result2: {{.*}}: ok

func.func @self(%x: tensor<2x16x8xf32>)
    -> (tensor<2x11x8xf32>, tensor<2x11xf32>, tensor<2x16xi64>) {
  %m, %sz, %src = loom.token.merge %x {r = 5}
      : (tensor<2x16x8xf32>) -> (tensor<2x11x8xf32>, tensor<2x11xf32>, tensor<2x16xi64>)
  return %m, %sz, %src : tensor<2x11x8xf32>, tensor<2x11xf32>, tensor<2x16xi64>
}

func.func @keys_sizes(%x: tensor<2x15x6xf32>, %k: tensor<2x15x4xf32>,
                      %s: tensor<2x15xf32>)
    -> (tensor<2x8x6xf32>, tensor<2x8xf32>, tensor<2x15xi64>) {
  %m, %sz, %src = loom.token.merge %x keys(%k) sizes(%s) {r = 7}
      : (tensor<2x15x6xf32>, tensor<2x15x4xf32>, tensor<2x15xf32>)
      -> (tensor<2x8x6xf32>, tensor<2x8xf32>, tensor<2x15xi64>)
  return %m, %sz, %src : tensor<2x8x6xf32>, tensor<2x8xf32>, tensor<2x15xi64>
}

func.func @keys_only(%x: tensor<2x15x6xf32>, %k: tensor<2x15x4xf32>)
    -> tensor<2x8x6xf32> {
  %m, %sz, %src = loom.token.merge %x keys(%k) {r = 7}
      : (tensor<2x15x6xf32>, tensor<2x15x4xf32>)
      -> (tensor<2x8x6xf32>, tensor<2x8xf32>, tensor<2x15xi64>)
  return %m : tensor<2x8x6xf32>
}

func.func @half(%x: tensor<1x10x8xf16>)
    -> (tensor<1x7x8xf16>, tensor<1x7xf32>, tensor<1x10xi64>) {
  %m, %sz, %src = loom.token.merge %x {r = 3}
      : (tensor<1x10x8xf16>) -> (tensor<1x7x8xf16>, tensor<1x7xf32>, tensor<1x10xi64>)
  return %m, %sz, %src : tensor<1x7x8xf16>, tensor<1x7xf32>, tensor<1x10xi64>
}

func.func @protect(%x: tensor<2x12x8xf32>)
    -> (tensor<2x7x8xf32>, tensor<2x7xf32>, tensor<2x12xi64>) {
  %m, %sz, %src = loom.token.merge %x {r = 5, protect_first}
      : (tensor<2x12x8xf32>) -> (tensor<2x7x8xf32>, tensor<2x7xf32>, tensor<2x12xi64>)
  return %m, %sz, %src : tensor<2x7x8xf32>, tensor<2x7xf32>, tensor<2x12xi64>
}

func.func @unprotected(%x: tensor<2x12x8xf32>) -> tensor<2x12xi64> {
  %m, %sz, %src = loom.token.merge %x {r = 5}
      : (tensor<2x12x8xf32>) -> (tensor<2x7x8xf32>, tensor<2x7xf32>, tensor<2x12xi64>)
  return %src : tensor<2x12xi64>
}
