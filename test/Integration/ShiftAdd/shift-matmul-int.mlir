// loom.shift_matmul on Q8.8 i16 activations with a Q.10 i32 result: every
// product is a shift by p + 2 (p in [-8, 7], so both left and arithmetic right
// shifts occur) and a negation; compared bit-exactly (rtol 0, atol 0) with the
// NumPy shift reference.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m shift_add_reference shift_int %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --compare %t/ref_0.npy --rtol 0 --atol 0 | FileCheck %s
// CHECK: result0: {{.*}} max_abs_err=0.000000e+00 {{.*}}: ok

func.func @main(%x: tensor<5x24xi16>, %s: tensor<7x24xi8>, %p: tensor<7x24xi8>)
    -> tensor<5x7xi32> {
  %y = loom.shift_matmul %x, %s, %p {frac_bits = 8, result_frac_bits = 10}
      : (tensor<5x24xi16>, tensor<7x24xi8>, tensor<7x24xi8>) -> tensor<5x7xi32>
  return %y : tensor<5x7xi32>
}
