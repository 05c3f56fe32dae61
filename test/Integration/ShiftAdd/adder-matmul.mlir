// loom.adder_matmul, y = -sum_k |x - w|: f32 against NumPy in f64 (rtol 1e-5,
// atol 1e-5: f32 sums of 33 terms) and i8 -> i32 bit-exactly (rtol 0, atol 0).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m shift_add_reference adder %t
// RUN: loom-run %s --entry f32 --input %t/in_0.npy --input %t/in_1.npy \
// RUN:   --compare %t/ref_0.npy --rtol 1e-5 --atol 1e-5 | FileCheck %s
// RUN: loom-run %s --entry i8 --input %t/in_2.npy --input %t/in_3.npy \
// RUN:   --compare %t/ref_1.npy --rtol 0 --atol 0 | FileCheck %s
// CHECK: result0: {{.*}}: ok

func.func @f32(%x: tensor<5x33xf32>, %w: tensor<7x33xf32>) -> tensor<5x7xf32> {
  %y = loom.adder_matmul %x, %w
      : (tensor<5x33xf32>, tensor<7x33xf32>) -> tensor<5x7xf32>
  return %y : tensor<5x7xf32>
}

func.func @i8(%x: tensor<5x33xi8>, %w: tensor<7x33xi8>) -> tensor<5x7xi32> {
  %y = loom.adder_matmul %x, %w
      : (tensor<5x33xi8>, tensor<7x33xi8>) -> tensor<5x7xi32>
  return %y : tensor<5x7xi32>
}
