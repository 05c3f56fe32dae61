// loom.qmatmul, int8 weights with symmetric per-output-channel scales, f32
// activations. Checks: the result equals x @ ((q - z) * s)^T computed by NumPy
// in f64 (rtol 1e-5, atol 1e-5: f32 sums of 48 terms); the reference script
// reports the weight quantization error and that it is within half a step.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m quant_reference int8_channel %t | FileCheck %s --check-prefix=ERR
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --compare %t/ref_0.npy --rtol 1e-5 --atol 1e-5 | FileCheck %s
// ERR: weight int8 group=None: {{.*}} bound_ok=True
// CHECK: result0: {{.*}}: ok

func.func @main(%x: tensor<5x48xf32>, %w: tensor<12x48xi8>, %s: tensor<12xf32>)
    -> tensor<5x12xf32> {
  %y = loom.qmatmul %x, %w, %s
      : (tensor<5x48xf32>, tensor<12x48xi8>, tensor<12xf32>) -> tensor<5x12xf32>
  return %y : tensor<5x12xf32>
}
