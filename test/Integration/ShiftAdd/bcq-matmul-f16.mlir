// loom.bcq_matmul on f16 activations and result, 2 planes, groups of 32: the
// plain and lookup-table lowerings against NumPy (f64 product rounded to f16;
// rtol 2e-3, atol 2e-3 cover the f16 rounding of the result) and against each
// other (rtol 0, atol 0).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m shift_add_reference bcq_f16 %t
// RUN: loom-run %s --input %t/in_0.npy --input %t/in_1.npy --input %t/in_2.npy \
// RUN:   --output-dir %t/plain --compare %t/ref_0.npy --rtol 2e-3 --atol 2e-3 \
// RUN:   | FileCheck %s
// RUN: loom-opt %s --convert-loom-to-linalg=bcq-lut=true -o %t/lut.mlir
// RUN: loom-run %t/lut.mlir --input %t/in_0.npy --input %t/in_1.npy \
// RUN:   --input %t/in_2.npy --compare %t/ref_0.npy --rtol 2e-3 --atol 2e-3 \
// RUN:   | FileCheck %s
// RUN: loom-run %t/lut.mlir --input %t/in_0.npy --input %t/in_1.npy \
// RUN:   --input %t/in_2.npy --compare %t/plain/result0.npy --rtol 0 --atol 0 \
// RUN:   | FileCheck %s --check-prefix=SAME
// CHECK: result0: {{.*}}: ok
// SAME: result0: {{.*}} max_abs_err=0.000000e+00 {{.*}}: ok

func.func @main(%x: tensor<2x128xf16>, %b: tensor<2x5x16xi8>, %e: tensor<2x5x4xi8>)
    -> tensor<2x5xf16> {
  %y = loom.bcq_matmul %x, %b, %e {group_size = 32}
      : (tensor<2x128xf16>, tensor<2x5x16xi8>, tensor<2x5x4xi8>) -> tensor<2x5xf16>
  return %y : tensor<2x5xf16>
}
