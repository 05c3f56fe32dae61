// loom.rms_norm against the float64 NumPy reference of test/lib/layer_reference.py:
// - @weight: [2, 7, 12] with a weight and eps 1e-5, one all-zero row (must give 0);
// - @no_weight: rank 1, no weight, eps 0, values around 1e3;
// - @f16: f16 storage with values up to 300, whose squares overflow f16: the sums
//   must be taken in f32.
// Tolerance: rtol 1e-5 / atol 1e-6 for f32 (a 12- or 16-term f32 sum against
// float64); rtol 4e-3 / atol 4e-3 for f16 (two f16 roundings).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m layer_reference rms_weight %t/w
// RUN: loom-run %s --entry weight --input %t/w/in_0.npy --input %t/w/in_1.npy \
// RUN:   --compare %t/w/ref_0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: %python -m layer_reference rms_no_weight %t/n
// RUN: loom-run %s --entry no_weight --input %t/n/in_0.npy \
// RUN:   --compare %t/n/ref_0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: %python -m layer_reference rms_f16 %t/h
// RUN: loom-run %s --entry f16 --input %t/h/in_0.npy --input %t/h/in_1.npy \
// RUN:   --compare %t/h/ref_0.npy --rtol 4e-3 --atol 4e-3 | FileCheck %s
// A different epsilon is visible on the zero-free rows of @weight's reference.
// RUN: not loom-run %s --entry weight_eps --input %t/w/in_0.npy --input %t/w/in_1.npy \
// RUN:   --compare %t/w/ref_0.npy --rtol 1e-5 --atol 1e-6
// CHECK: result0: {{.*}}: ok

func.func @weight(%x: tensor<2x7x12xf32>, %w: tensor<12xf32>) -> tensor<2x7x12xf32> {
  %y = loom.rms_norm %x, %w {epsilon = 1.0e-05 : f32} : (tensor<2x7x12xf32>, tensor<12xf32>) -> tensor<2x7x12xf32>
  return %y : tensor<2x7x12xf32>
}

func.func @weight_eps(%x: tensor<2x7x12xf32>, %w: tensor<12xf32>) -> tensor<2x7x12xf32> {
  %y = loom.rms_norm %x, %w {epsilon = 1.0 : f32} : (tensor<2x7x12xf32>, tensor<12xf32>) -> tensor<2x7x12xf32>
  return %y : tensor<2x7x12xf32>
}

func.func @no_weight(%x: tensor<16xf32>) -> tensor<16xf32> {
  %y = loom.rms_norm %x {epsilon = 0.0 : f32} : (tensor<16xf32>) -> tensor<16xf32>
  return %y : tensor<16xf32>
}

func.func @f16(%x: tensor<3x64xf16>, %w: tensor<64xf16>) -> tensor<3x64xf16> {
  %y = loom.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : (tensor<3x64xf16>, tensor<64xf16>) -> tensor<3x64xf16>
  return %y : tensor<3x64xf16>
}
