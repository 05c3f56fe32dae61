// W8A8 activations, symmetric per token: loom.quantize then loom.dequantize.
// The int8 values must equal NumPy's clamp(rint(x / s)) exactly and the round
// trip NumPy's (q * s) exactly (rtol 0, atol 0); the script then reports the
// quantization error of the round trip and checks it is within half a step.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m quant_reference act_per_token %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --output-dir %t/out \
// RUN:   --compare %t/ref_0.npy --compare %t/ref_1.npy --rtol 0 --atol 0 \
// RUN:   | FileCheck %s
// RUN: %python -m quant_reference check_activation %t %t/out | FileCheck %s --check-prefix=ERR
// CHECK-COUNT-2: max_abs_err=0.000000e+00 {{.*}}: ok
// ERR: activations: {{.*}} bound_ok=True

func.func @main(%x: tensor<6x32xf32>, %s: tensor<6xf32>)
    -> (tensor<6x32xi8>, tensor<6x32xf32>) {
  %q = loom.quantize %x, %s per_token
      : (tensor<6x32xf32>, tensor<6xf32>) -> tensor<6x32xi8>
  %d = loom.dequantize %q, %s per_token
      : (tensor<6x32xi8>, tensor<6xf32>) -> tensor<6x32xf32>
  return %q, %d : tensor<6x32xi8>, tensor<6x32xf32>
}
