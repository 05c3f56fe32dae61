// Packed int4 round trip: NumPy quantizes W (asymmetric, groups of 16) and
// packs it two nibbles per byte, low first; row 0 holds every value -8..7.
// With x = identity, loom.qmatmul returns W_deq^T, which must equal NumPy's
// unpacked and dequantized weights exactly (rtol 0, atol 0): a swapped nibble
// order or a missing sign extension changes the numbers. The script reports
// the quantization error of W_deq against W.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m quant_reference int4_unpack %t | FileCheck %s --check-prefix=ERR
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --input %t/in_3.npy --compare %t/ref_0.npy --rtol 0 --atol 0 \
// RUN:   | FileCheck %s
// ERR: weight int4 group=16: {{.*}} bound_ok=True
// CHECK: result0: {{.*}} max_abs_err=0.000000e+00 {{.*}}: ok

func.func @main(%x: tensor<64x64xf32>, %w: tensor<10x32xi8>, %s: tensor<10x4xf32>,
                %z: tensor<10x4xi8>) -> tensor<64x10xf32> {
  %y = loom.qmatmul %x, %w, %s, %z {bits = 4, group_size = 16}
      : (tensor<64x64xf32>, tensor<10x32xi8>, tensor<10x4xf32>, tensor<10x4xi8>)
      -> tensor<64x10xf32>
  return %y : tensor<64x10xf32>
}
