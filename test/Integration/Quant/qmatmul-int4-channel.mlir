// loom.qmatmul, packed int4 weights, symmetric per output channel, f32
// activations; against NumPy in f64 (rtol 1e-5, atol 1e-5).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m quant_reference int4_channel %t | FileCheck %s --check-prefix=ERR
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --compare %t/ref_0.npy --rtol 1e-5 --atol 1e-5 | FileCheck %s
// ERR: weight int4 group=None: {{.*}} bound_ok=True
// CHECK: result0: {{.*}}: ok

func.func @main(%x: tensor<4x64xf32>, %w: tensor<9x32xi8>, %s: tensor<9xf32>)
    -> tensor<4x9xf32> {
  %y = loom.qmatmul %x, %w, %s {bits = 4}
      : (tensor<4x64xf32>, tensor<9x32xi8>, tensor<9xf32>) -> tensor<4x9xf32>
  return %y : tensor<4x9xf32>
}
