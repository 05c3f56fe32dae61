// loom.topk against a Python-sort reference (test/lib/tensor_reference.py):
// - @router: top-2 of 8 along the last axis, rows with all-equal values, a tie for
//   first place (lower index first), one and two NaNs (NaN ranks above numbers);
// - @smallest_axis0: the 3 smallest along axis 0 of small integers (many ties), a NaN
//   (ranks last);
// - @int: i32 top-4 along the middle axis of a rank-3 tensor.
// Selection copies values: tolerance 0 (NaN must match NaN).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m tensor_reference router %t/r
// RUN: loom-run %s --entry router --input %t/r/in_0.npy --compare %t/r/ref_0.npy \
// RUN:   --compare %t/r/ref_1.npy --rtol 0 --atol 0 | FileCheck %s
// RUN: %python -m tensor_reference smallest_axis0 %t/s
// RUN: loom-run %s --entry smallest_axis0 --input %t/s/in_0.npy --compare %t/s/ref_0.npy \
// RUN:   --compare %t/s/ref_1.npy --rtol 0 --atol 0 | FileCheck %s
// RUN: %python -m tensor_reference int %t/i
// RUN: loom-run %s --entry int --input %t/i/in_0.npy --compare %t/i/ref_0.npy \
// RUN:   --compare %t/i/ref_1.npy --rtol 0 --atol 0 | FileCheck %s
// The largest-first op cannot match the smallest-first reference.
// RUN: not loom-run %s --entry largest_axis0 --input %t/s/in_0.npy \
// RUN:   --compare %t/s/ref_0.npy --compare %t/s/ref_1.npy --rtol 0 --atol 0
// CHECK: result0: {{.*}}: ok
// CHECK: result1: {{.*}}: ok

func.func @router(%x: tensor<16x8xf32>) -> (tensor<16x2xf32>, tensor<16x2xi64>) {
  %v, %i = loom.topk %x {k = 2} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>)
  return %v, %i : tensor<16x2xf32>, tensor<16x2xi64>
}

func.func @smallest_axis0(%x: tensor<10x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xi64>) {
  %v, %i = loom.topk %x {k = 3, axis = 0, smallest}
      : tensor<10x4xf32> -> (tensor<3x4xf32>, tensor<3x4xi64>)
  return %v, %i : tensor<3x4xf32>, tensor<3x4xi64>
}

func.func @largest_axis0(%x: tensor<10x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xi64>) {
  %v, %i = loom.topk %x {k = 3, axis = 0}
      : tensor<10x4xf32> -> (tensor<3x4xf32>, tensor<3x4xi64>)
  return %v, %i : tensor<3x4xf32>, tensor<3x4xi64>
}

func.func @int(%x: tensor<3x5x7xi32>) -> (tensor<3x4x7xi32>, tensor<3x4x7xi64>) {
  %v, %i = loom.topk %x {k = 4, axis = 1}
      : tensor<3x5x7xi32> -> (tensor<3x4x7xi32>, tensor<3x4x7xi64>)
  return %v, %i : tensor<3x4x7xi32>, tensor<3x4x7xi64>
}
