// W8A8 activations, asymmetric per tensor (zero point 30) on a rank-3 tensor,
// with a power-of-two scale so that x / s hits exact .5 ties (round half to
// even: 0.5 -> 0, 1.5 -> 2, -0.5 -> 0, -1.5 -> -2) and values that clip at
// both ends. Exact comparison with NumPy (rtol 0, atol 0), then the round
// trip's quantization error on unclipped values is reported and bounded.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m quant_reference act_per_tensor %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --output-dir %t/out --compare %t/ref_0.npy --compare %t/ref_1.npy \
// RUN:   --rtol 0 --atol 0 | FileCheck %s
// RUN: %python -m quant_reference check_activation %t %t/out | FileCheck %s --check-prefix=ERR
// CHECK-COUNT-2: max_abs_err=0.000000e+00 {{.*}}: ok
// ERR: activations: {{.*}} bound_ok=True

func.func @main(%x: tensor<2x4x16xf32>, %s: tensor<1xf32>, %z: tensor<1xi8>)
    -> (tensor<2x4x16xi8>, tensor<2x4x16xf32>) {
  %q = loom.quantize %x, %s, %z per_tensor
      : (tensor<2x4x16xf32>, tensor<1xf32>, tensor<1xi8>) -> tensor<2x4x16xi8>
  %d = loom.dequantize %q, %s, %z per_tensor
      : (tensor<2x4x16xi8>, tensor<1xf32>, tensor<1xi8>) -> tensor<2x4x16xf32>
  return %q, %d : tensor<2x4x16xi8>, tensor<2x4x16xf32>
}
