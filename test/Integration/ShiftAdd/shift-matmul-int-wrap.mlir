// loom.shift_matmul i8 -> i16 with the exponent range narrowed to [-3, 4]:
// exponents drawn from [-6, 6] must be clamped, and row 0 sums to far below
// -2^15 so the i16 accumulator wraps. Bit-exact (rtol 0, atol 0) against the
// NumPy reference, which clamps and wraps the same way.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m shift_add_reference shift_int_wrap %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --compare %t/ref_0.npy --rtol 0 --atol 0 | FileCheck %s
// CHECK: result0: {{.*}} max_abs_err=0.000000e+00 {{.*}}: ok

func.func @main(%x: tensor<4x64xi8>, %s: tensor<6x64xi8>, %p: tensor<6x64xi8>)
    -> tensor<4x6xi16> {
  %y = loom.shift_matmul %x, %s, %p {min_exponent = -3, max_exponent = 4}
      : (tensor<4x64xi8>, tensor<6x64xi8>, tensor<6x64xi8>) -> tensor<4x6xi16>
  return %y : tensor<4x6xi16>
}
