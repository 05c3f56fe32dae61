// loom.token.restore on untrusted run-time indices (hand-written, seeded random rows):
// indices [6, 2, 6, -1, 8] into 8 rows (row 6 repeated: the last input row wins;
// -1 and 8 are ignored, leaving the fill), and a source map with entries -3, 5 and 7
// outside [0, 5) (zero rows). Copies only: tolerance 0 (rtol 0, atol 0).
//
// RUN: rm -rf %t && %python -m token_reference restore_edge %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --input %t/in_3.npy --compare %t/ref_0.npy --compare %t/ref_1.npy \
// RUN:   --rtol 0 --atol 0 | FileCheck %s
// CHECK: result0: {{.*}}: ok
// CHECK: result1: {{.*}}: ok

func.func @main(%x: tensor<2x5x4xf32>, %idx: tensor<2x5xi64>, %fill: tensor<2x8x4xf32>,
                %src: tensor<2x8xi64>) -> (tensor<2x8x4xf32>, tensor<2x8x4xf32>) {
  %a = loom.token.restore %x indices(%idx) fill(%fill)
      : (tensor<2x5x4xf32>, tensor<2x5xi64>, tensor<2x8x4xf32>) -> tensor<2x8x4xf32>
  %b = loom.token.restore %x source(%src)
      : (tensor<2x5x4xf32>, tensor<2x8xi64>) -> tensor<2x8x4xf32>
  return %a, %b : tensor<2x8x4xf32>, tensor<2x8x4xf32>
}
