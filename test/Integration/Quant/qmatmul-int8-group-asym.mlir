// loom.qmatmul, int8 weights, asymmetric (zero points) per group of 32 input
// columns, f32 activations; against NumPy in f64 (rtol 1e-5, atol 1e-5).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m quant_reference int8_group_asym %t | FileCheck %s --check-prefix=ERR
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --input %t/in_3.npy --compare %t/ref_0.npy --rtol 1e-5 --atol 1e-5 \
// RUN:   | FileCheck %s
// ERR: weight int8 group=32: {{.*}} bound_ok=True
// CHECK: result0: {{.*}}: ok

func.func @main(%x: tensor<4x96xf32>, %w: tensor<10x96xi8>, %s: tensor<10x3xf32>,
                %z: tensor<10x3xi8>) -> tensor<4x10xf32> {
  %y = loom.qmatmul %x, %w, %s, %z {group_size = 32}
      : (tensor<4x96xf32>, tensor<10x96xi8>, tensor<10x3xf32>, tensor<10x3xi8>)
      -> tensor<4x10xf32>
  return %y : tensor<4x10xf32>
}
