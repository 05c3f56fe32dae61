// Execution test: quantized expert weights in loom.moe.experts and
// loom.moe.ffn (reference lowering: each element dequantized inside the
// expert contraction). int8 codes per output channel, symmetric; packed int4
// codes in groups of 8 with zero points. 10 tokens, top-2 of 4 experts with
// capacity drops, H = 16, F = 24. The reference computes in float64 from the
// dequantized weights; tolerance rtol 1e-5, atol 1e-6 (f32 accumulation).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -m moe_reference quantized_experts %t
// RUN: loom-run %s --entry experts_i8 --input %t/rows.npy --input %t/offsets.npy --input %t/counts.npy --input %t/i8_q1.npy --input %t/i8_q2.npy --input %t/i8_q3.npy --input %t/i8_s1.npy --input %t/i8_s2.npy --input %t/i8_s3.npy --compare %t/ref_i8.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry experts_i4 --input %t/rows.npy --input %t/offsets.npy --input %t/counts.npy --input %t/i4_q1.npy --input %t/i4_q2.npy --input %t/i4_q3.npy --input %t/i4_s1.npy --input %t/i4_s2.npy --input %t/i4_s3.npy --input %t/i4_z1.npy --input %t/i4_z2.npy --input %t/i4_z3.npy --compare %t/ref_i4.npy --rtol 1e-5 --atol 1e-6
// RUN: loom-run %s --entry ffn_i4 --input %t/x.npy --input %t/wg.npy --input %t/i4_q1.npy --input %t/i4_q2.npy --input %t/i4_q3.npy --input %t/i4_s1.npy --input %t/i4_s2.npy --input %t/i4_s3.npy --input %t/i4_z1.npy --input %t/i4_z2.npy --input %t/i4_z3.npy --compare %t/ref_ffn_i4.npy --rtol 1e-5 --atol 1e-6

func.func @experts_i8(%rows: tensor<20x16xf32>, %offsets: tensor<4xi64>, %counts: tensor<4xi64>,
                      %q1: tensor<4x16x24xi8>, %q2: tensor<4x24x16xi8>, %q3: tensor<4x16x24xi8>,
                      %s1: tensor<4x1x24xf32>, %s2: tensor<4x1x16xf32>, %s3: tensor<4x1x24xf32>) -> tensor<20x16xf32> {
  %y = loom.moe.experts %rows, %offsets, %counts weights(%q1, %q2, %q3) scales(%s1, %s2, %s3)
      : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x24xi8>, tensor<4x24x16xi8>,
         tensor<4x16x24xi8>, tensor<4x1x24xf32>, tensor<4x1x16xf32>, tensor<4x1x24xf32>) -> tensor<20x16xf32>
  return %y : tensor<20x16xf32>
}

func.func @experts_i4(%rows: tensor<20x16xf32>, %offsets: tensor<4xi64>, %counts: tensor<4xi64>,
                      %q1: tensor<4x8x24xi8>, %q2: tensor<4x12x16xi8>, %q3: tensor<4x8x24xi8>,
                      %s1: tensor<4x2x24xf32>, %s2: tensor<4x3x16xf32>, %s3: tensor<4x2x24xf32>,
                      %z1: tensor<4x2x24xi8>, %z2: tensor<4x3x16xi8>, %z3: tensor<4x2x24xi8>) -> tensor<20x16xf32> {
  %y = loom.moe.experts %rows, %offsets, %counts weights(%q1, %q2, %q3) scales(%s1, %s2, %s3)
      zero_points(%z1, %z2, %z3) {bits = 4, group_size = 8}
      : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x8x24xi8>, tensor<4x12x16xi8>,
         tensor<4x8x24xi8>, tensor<4x2x24xf32>, tensor<4x3x16xf32>, tensor<4x2x24xf32>,
         tensor<4x2x24xi8>, tensor<4x3x16xi8>, tensor<4x2x24xi8>) -> tensor<20x16xf32>
  return %y : tensor<20x16xf32>
}

func.func @ffn_i4(%x: tensor<10x16xf32>, %wg: tensor<16x4xf32>,
                  %q1: tensor<4x8x24xi8>, %q2: tensor<4x12x16xi8>, %q3: tensor<4x8x24xi8>,
                  %s1: tensor<4x2x24xf32>, %s2: tensor<4x3x16xf32>, %s3: tensor<4x2x24xf32>,
                  %z1: tensor<4x2x24xi8>, %z2: tensor<4x3x16xi8>, %z3: tensor<4x2x24xi8>) -> tensor<10x16xf32> {
  %out, %d = loom.moe.ffn %x, %wg weights(%q1, %q2, %q3) scales(%s1, %s2, %s3)
      zero_points(%z1, %z2, %z3) {k = 2, renormalize, bits = 4, group_size = 8}
      : (tensor<10x16xf32>, tensor<16x4xf32>, tensor<4x8x24xi8>, tensor<4x12x16xi8>,
         tensor<4x8x24xi8>, tensor<4x2x24xf32>, tensor<4x3x16xf32>, tensor<4x2x24xf32>,
         tensor<4x2x24xi8>, tensor<4x3x16xi8>, tensor<4x2x24xi8>) -> (tensor<10x16xf32>, tensor<i64>)
  return %out : tensor<10x16xf32>
}
