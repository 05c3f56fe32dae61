// loom.shift_matmul as hls.shift (convert-loom-to-hls + convert-hls-to-arith)
// against the reference lowering (ldexp by exponent-field adds), both run by
// loom-run --reference on the same inputs: signs in {-1, 0, 1}, exponents in
// [-9, 5] (so the clamp to [min_exponent, max_exponent] = [-6, 3] is taken),
// x from --random-seed 1. Bit-exact: every product is a normal f32 times an
// exact power of two, which both compute exactly, summed in the same order.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/run_two_ways.py %s %t/a --entry clamped --i8 24x40,-1,1 --i8 24x40,-9,5 --exact | FileCheck %s
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/run_two_ways.py %s %t/b --entry defaults --i8 16x96,-1,1 --i8 16x96,-8,7 --exact | FileCheck %s
// CHECK: result0: {{.*}}: bit-exact

func.func @clamped(%s: tensor<24x40xi8>, %p: tensor<24x40xi8>, %x: tensor<5x40xf32>) -> tensor<5x24xf32> {
  %y = loom.shift_matmul %x, %s, %p {min_exponent = -6, max_exponent = 3}
      : (tensor<5x40xf32>, tensor<24x40xi8>, tensor<24x40xi8>) -> tensor<5x24xf32>
  return %y : tensor<5x24xf32>
}

func.func @defaults(%s: tensor<16x96xi8>, %p: tensor<16x96xi8>, %x: tensor<7x96xf32>) -> tensor<7x16xf32> {
  %y = loom.shift_matmul %x, %s, %p
      : (tensor<7x96xf32>, tensor<16x96xi8>, tensor<16x96xi8>) -> tensor<7x16xf32>
  return %y : tensor<7x16xf32>
}
