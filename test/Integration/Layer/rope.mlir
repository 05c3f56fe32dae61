// loom.rope against the NumPy reference of test/lib/layer_reference.py, which pairs
// channels by explicit index arithmetic:
// - @llama: rotate-half on q [1, 4, 6, 8] with tables [1, 1, 6, 8] at positions 3..8;
// - @interleaved: GPT-J pairs on [2, 5, 3, 6] with per-batch tables [2, 5, 1, 6];
// - @partial: 4 of 10 channels rotated (arbitrary tables), 6 passed through;
// - @f16: f16 arithmetic against an f32 reference rounded to f16.
// Tolerance: rtol 1e-6 / atol 1e-6 for f32 (the op is two products and a sum per
// element); rtol 2e-3 / atol 2e-3 for f16 (a few ulps of the products and the sum).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m layer_reference rope_llama %t/l
// RUN: loom-run %s --entry llama --input %t/l/in_0.npy --input %t/l/in_1.npy \
// RUN:   --input %t/l/in_2.npy --compare %t/l/ref_0.npy --rtol 1e-6 --atol 1e-6 | FileCheck %s
// RUN: %python -m layer_reference rope_interleaved %t/i
// RUN: loom-run %s --entry interleaved --input %t/i/in_0.npy --input %t/i/in_1.npy \
// RUN:   --input %t/i/in_2.npy --compare %t/i/ref_0.npy --rtol 1e-6 --atol 1e-6 | FileCheck %s
// RUN: %python -m layer_reference rope_partial %t/p
// RUN: loom-run %s --entry partial --input %t/p/in_0.npy --input %t/p/in_1.npy \
// RUN:   --input %t/p/in_2.npy --compare %t/p/ref_0.npy --rtol 1e-6 --atol 1e-6 | FileCheck %s
// RUN: %python -m layer_reference rope_f16 %t/h
// RUN: loom-run %s --entry f16 --input %t/h/in_0.npy --input %t/h/in_1.npy \
// RUN:   --input %t/h/in_2.npy --compare %t/h/ref_0.npy --rtol 2e-3 --atol 2e-3 | FileCheck %s
// The two pairings differ: the interleaved reference does not match rotate-half.
// RUN: not loom-run %s --entry interleaved_as_half --input %t/i/in_0.npy \
// RUN:   --input %t/i/in_1.npy --input %t/i/in_2.npy --compare %t/i/ref_0.npy \
// RUN:   --rtol 1e-6 --atol 1e-6
// CHECK: result0: {{.*}}: ok

func.func @llama(%x: tensor<1x4x6x8xf32>, %c: tensor<1x1x6x8xf32>, %s: tensor<1x1x6x8xf32>) -> tensor<1x4x6x8xf32> {
  %y = loom.rope %x, %c, %s : (tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>, tensor<1x1x6x8xf32>) -> tensor<1x4x6x8xf32>
  return %y : tensor<1x4x6x8xf32>
}

func.func @interleaved(%x: tensor<2x5x3x6xf32>, %c: tensor<2x5x1x6xf32>, %s: tensor<2x5x1x6xf32>) -> tensor<2x5x3x6xf32> {
  %y = loom.rope %x, %c, %s {interleaved} : (tensor<2x5x3x6xf32>, tensor<2x5x1x6xf32>, tensor<2x5x1x6xf32>) -> tensor<2x5x3x6xf32>
  return %y : tensor<2x5x3x6xf32>
}

func.func @interleaved_as_half(%x: tensor<2x5x3x6xf32>, %c: tensor<2x5x1x6xf32>, %s: tensor<2x5x1x6xf32>) -> tensor<2x5x3x6xf32> {
  %y = loom.rope %x, %c, %s : (tensor<2x5x3x6xf32>, tensor<2x5x1x6xf32>, tensor<2x5x1x6xf32>) -> tensor<2x5x3x6xf32>
  return %y : tensor<2x5x3x6xf32>
}

func.func @partial(%x: tensor<1x2x5x10xf32>, %c: tensor<1x1x5x4xf32>, %s: tensor<1x1x5x4xf32>) -> tensor<1x2x5x10xf32> {
  %y = loom.rope %x, %c, %s : (tensor<1x2x5x10xf32>, tensor<1x1x5x4xf32>, tensor<1x1x5x4xf32>) -> tensor<1x2x5x10xf32>
  return %y : tensor<1x2x5x10xf32>
}

func.func @f16(%x: tensor<1x2x4x8xf16>, %c: tensor<1x1x4x8xf16>, %s: tensor<1x1x4x8xf16>) -> tensor<1x2x4x8xf16> {
  %y = loom.rope %x, %c, %s : (tensor<1x2x4x8xf16>, tensor<1x1x4x8xf16>, tensor<1x1x4x8xf16>) -> tensor<1x2x4x8xf16>
  return %y : tensor<1x2x4x8xf16>
}
