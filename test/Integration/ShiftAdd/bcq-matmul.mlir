// loom.bcq_matmul with 3 binary planes and groups of 16, weights fitted to
// random W by the greedy ShiftAddLLM initialisation. Checks:
// (1) the plain lowering against NumPy's x @ (sum_i 2^e_i B_i)^T in f64
//     (rtol 1e-5, atol 1e-5: f32 sums of 64 terms);
// (2) the lookup-table lowering (convert-loom-to-linalg{bcq-lut=true}) against
//     the same reference;
// (3) the lookup-table result bit-identical to the plain one (rtol 0, atol 0).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m shift_add_reference bcq %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --output-dir %t/plain --compare %t/ref_0.npy --rtol 1e-5 --atol 1e-5 \
// RUN:   | FileCheck %s
// RUN: loom-opt %s --convert-loom-to-linalg=bcq-lut=true -o %t/lut.mlir
// RUN: loom-run %t/lut.mlir --input %t/in_0.npy --input %t/in_1.npy \
// RUN:   --input %t/in_2.npy --compare %t/ref_0.npy --rtol 1e-5 --atol 1e-5 \
// RUN:   | FileCheck %s
// RUN: loom-run %t/lut.mlir --input %t/in_0.npy --input %t/in_1.npy \
// RUN:   --input %t/in_2.npy --compare %t/plain/result0.npy --rtol 0 --atol 0 \
// RUN:   | FileCheck %s --check-prefix=SAME
// CHECK: result0: {{.*}}: ok
// SAME: result0: {{.*}} max_abs_err=0.000000e+00 {{.*}}: ok

func.func @main(%x: tensor<3x64xf32>, %b: tensor<3x8x8xi8>, %e: tensor<3x8x4xi8>)
    -> tensor<3x8xf32> {
  %y = loom.bcq_matmul %x, %b, %e {group_size = 16}
      : (tensor<3x64xf32>, tensor<3x8x8xi8>, tensor<3x8x4xi8>) -> tensor<3x8xf32>
  return %y : tensor<3x8xf32>
}
