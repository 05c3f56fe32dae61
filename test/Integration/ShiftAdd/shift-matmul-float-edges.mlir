// The float exponent add at the edges of the f32 range: overflow to infinity,
// a result below the normal range flushed to zero, subnormal inputs flushed to
// zero (even where the exact ldexp would be normal again), the smallest normal,
// zero and a negated product. Exact comparison with the NumPy model of these
// semantics: max_abs_err must be 0 and infinities must match. rtol is 1e-30
// rather than 0 only because loom-run's bound atol + rtol * |ref| is NaN for
// rtol = 0 and an infinite reference; 1e-30 is far below one f32 ulp (6e-8
// relative), so the comparison stays exact.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m shift_add_reference shift_float_edges %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --compare %t/ref_0.npy --rtol 1e-30 --atol 0 | FileCheck %s
// CHECK: result0: {{.*}} max_abs_err=0.000000e+00 {{.*}}: ok

func.func @main(%x: tensor<1x8xf32>, %s: tensor<8x8xi8>, %p: tensor<8x8xi8>)
    -> tensor<1x8xf32> {
  %y = loom.shift_matmul %x, %s, %p {min_exponent = -128, max_exponent = 127}
      : (tensor<1x8xf32>, tensor<8x8xi8>, tensor<8x8xi8>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}
