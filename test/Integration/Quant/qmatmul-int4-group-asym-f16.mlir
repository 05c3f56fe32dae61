// loom.qmatmul, packed int4 weights (two per byte, low nibble first),
// asymmetric per group of 32, f16 activations, f16 scales and f16 result.
// Against NumPy in f64 rounded to f16 (rtol 2e-3, atol 2e-3: one f16 rounding
// of results of magnitude up to ~4).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m quant_reference int4_group_asym_f16 %t | FileCheck %s --check-prefix=ERR
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --input %t/in_3.npy --compare %t/ref_0.npy --rtol 2e-3 --atol 2e-3 \
// RUN:   | FileCheck %s
// ERR: weight int4 group=32: {{.*}} bound_ok=True
// CHECK: result0: {{.*}}: ok

func.func @main(%x: tensor<3x128xf16>, %w: tensor<16x64xi8>, %s: tensor<16x4xf16>,
                %z: tensor<16x4xi8>) -> tensor<3x16xf16> {
  %y = loom.qmatmul %x, %w, %s, %z {bits = 4, group_size = 32}
      : (tensor<3x128xf16>, tensor<16x64xi8>, tensor<16x4xf16>, tensor<16x4xi8>)
      -> tensor<3x16xf16>
  return %y : tensor<3x16xf16>
}
