// loom.token.score, every method, on seeded random inputs: softmax probabilities
// [2,4,9,9] for cls_attention and attention_received, hidden states [2,9,16] (f32 and
// f16) for l2norm. Tolerance: rtol 1e-5, atol 1e-6 (f32 sums of at most 36 terms).
//
// RUN: rm -rf %t && %python -m token_reference score %t
// RUN: loom-run %s --entry cls --input %t/in_0.npy --compare %t/ref_0.npy \
// RUN:   --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: loom-run %s --entry received --input %t/in_0.npy --compare %t/ref_1.npy \
// RUN:   --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: loom-run %s --entry norm --input %t/in_1.npy --compare %t/ref_2.npy \
// RUN:   --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: loom-run %s --entry norm_f16 --input %t/in_2.npy --compare %t/ref_3.npy \
// RUN:   --rtol 1e-5 --atol 1e-6 | FileCheck %s
// The methods differ on these inputs: swapping them must fail.
// RUN: not loom-run %s --entry received --input %t/in_0.npy --compare %t/ref_0.npy \
// RUN:   --rtol 1e-5 --atol 1e-6
// CHECK: result0: {{.*}}: ok

func.func @cls(%p: tensor<2x4x9x9xf32>) -> tensor<2x9xf32> {
  %s = loom.token.score cls_attention %p : tensor<2x4x9x9xf32> -> tensor<2x9xf32>
  return %s : tensor<2x9xf32>
}

func.func @received(%p: tensor<2x4x9x9xf32>) -> tensor<2x9xf32> {
  %s = loom.token.score attention_received %p : tensor<2x4x9x9xf32> -> tensor<2x9xf32>
  return %s : tensor<2x9xf32>
}

func.func @norm(%x: tensor<2x9x16xf32>) -> tensor<2x9xf32> {
  %s = loom.token.score l2norm %x : tensor<2x9x16xf32> -> tensor<2x9xf32>
  return %s : tensor<2x9xf32>
}

func.func @norm_f16(%x: tensor<2x9x16xf16>) -> tensor<2x9xf32> {
  %s = loom.token.score l2norm %x : tensor<2x9x16xf16> -> tensor<2x9xf32>
  return %s : tensor<2x9xf32>
}
