// loom.shift_matmul on f32 and f16 activations: products are exponent adds,
// sums in f32 over ascending k. The NumPy reference (np.ldexp, f32 sums in the
// same order) gives the same bits, so the tolerance is zero (rtol 0, atol 0).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m shift_add_reference shift_float %t
// RUN: loom-run %s --entry f32 --input %t/in_0.npy --input %t/in_1.npy \
// RUN:   --input %t/in_2.npy --compare %t/ref_0.npy --rtol 0 --atol 0 \
// RUN:   | FileCheck %s
// RUN: loom-run %s --entry f16 --input %t/in_3.npy --input %t/in_1.npy \
// RUN:   --input %t/in_2.npy --compare %t/ref_1.npy --rtol 0 --atol 0 \
// RUN:   | FileCheck %s
// CHECK: result0: {{.*}} max_abs_err=0.000000e+00 {{.*}}: ok

func.func @f32(%x: tensor<6x40xf32>, %s: tensor<9x40xi8>, %p: tensor<9x40xi8>)
    -> tensor<6x9xf32> {
  %y = loom.shift_matmul %x, %s, %p {min_exponent = -12, max_exponent = 3}
      : (tensor<6x40xf32>, tensor<9x40xi8>, tensor<9x40xi8>) -> tensor<6x9xf32>
  return %y : tensor<6x9xf32>
}

func.func @f16(%x: tensor<6x40xf16>, %s: tensor<9x40xi8>, %p: tensor<9x40xi8>)
    -> tensor<6x9xf16> {
  %y = loom.shift_matmul %x, %s, %p {min_exponent = -12, max_exponent = 3}
      : (tensor<6x40xf16>, tensor<9x40xi8>, tensor<9x40xi8>) -> tensor<6x9xf16>
  return %y : tensor<6x9xf16>
}
