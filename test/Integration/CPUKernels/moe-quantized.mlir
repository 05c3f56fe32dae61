// Execution test of the grouped expert kernel with quantized weights
// (loom_moe_experts_q_f32: each (expert, column chunk) tile dequantized
// before its GEMM) against the reference lowering on the same random inputs:
// int8 codes per output channel with a SwiGLU Mixtral-style layer, and packed
// int4 codes in groups of 16 with zero points and GELU experts (random codes,
// scales and zero points: the two paths must agree whatever the values).
// Tolerance rtol 1e-5, atol 1e-5 (outputs up to |55|; the two paths sum in
// different orders).

// RUN: rm -rf %t && mkdir -p %t && %python -m moe_reference quantized_kernel %t
// RUN: loom-run %s --entry int8 --input %t/a_x.npy --input %t/a_wg.npy --input %t/a_q1.npy --input %t/a_q2.npy --input %t/a_q3.npy --input %t/a_s1.npy --input %t/a_s2.npy --input %t/a_s3.npy --atol 1e-5
// RUN: loom-run %s --entry int4 --input %t/b_x.npy --input %t/b_wg.npy --input %t/b_q1.npy --input %t/b_q2.npy --input %t/b_s1.npy --input %t/b_s2.npy --input %t/b_z1.npy --input %t/b_z2.npy --atol 1e-5
// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s
// CHECK-COUNT-2: llvm.call @loom_moe_experts_q_f32(

func.func @int8(%x: tensor<5x64xf32>, %wg: tensor<64x8xf32>, %q1: tensor<8x64x96xi8>, %q2: tensor<8x96x64xi8>, %q3: tensor<8x64x96xi8>,
                %s1: tensor<8x1x96xf32>, %s2: tensor<8x1x64xf32>, %s3: tensor<8x1x96xf32>) -> tensor<5x64xf32> {
  %out, %dropped = loom.moe.ffn %x, %wg weights(%q1, %q2, %q3) scales(%s1, %s2, %s3) {k = 2, renormalize}
      : (tensor<5x64xf32>, tensor<64x8xf32>, tensor<8x64x96xi8>, tensor<8x96x64xi8>, tensor<8x64x96xi8>,
         tensor<8x1x96xf32>, tensor<8x1x64xf32>, tensor<8x1x96xf32>) -> (tensor<5x64xf32>, tensor<i64>)
  return %out : tensor<5x64xf32>
}

func.func @int4(%x: tensor<33x32xf32>, %wg: tensor<32x4xf32>, %q1: tensor<4x16x144xi8>, %q2: tensor<4x72x32xi8>,
                %s1: tensor<4x2x144xf32>, %s2: tensor<4x9x32xf32>, %z1: tensor<4x2x144xi8>, %z2: tensor<4x9x32xi8>) -> tensor<33x32xf32> {
  %out, %dropped = loom.moe.ffn %x, %wg weights(%q1, %q2) scales(%s1, %s2) zero_points(%z1, %z2)
      {k = 1, activation = #loom.moe_activation<gelu>, bits = 4, group_size = 16}
      : (tensor<33x32xf32>, tensor<32x4xf32>, tensor<4x16x144xi8>, tensor<4x72x32xi8>,
         tensor<4x2x144xf32>, tensor<4x9x32xf32>, tensor<4x2x144xi8>, tensor<4x9x32xi8>) -> (tensor<33x32xf32>, tensor<i64>)
  return %out : tensor<33x32xf32>
}
