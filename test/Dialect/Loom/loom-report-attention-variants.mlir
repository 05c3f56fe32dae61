// RUN: loom-opt %s --loom-report -o /dev/null | FileCheck %s
// loom-report's cost models of loom.angular_attention and of threshold selection in
// loom.block_sparse_attention. The expected numbers, derived by hand (conventions:
// docs/Report.md; formulas: docs/Attention.md):
// - ang (non-causal, GQA 2:1, B=1, Hq=2, Hkv=1, S=16, D=Dv=8, conv K=3):
//   normalisation 3*(2*16 + 16)*8 + (32 + 16) = 1200; matmul 2*(16 + 32)*8*8 = 6144;
//   key and value sums 16*(8+8) = 256; q^ . sum k^ 2*32*8 = 512; 5 per output
//   (2*16*8 = 256 outputs) = 1280; conv 2*3*16*8 = 768 plus its add 256:
//   6144 + 1200 + 256 + 512 + 1280 + 1024 = 10416. Moved: q 1024 + k 512 + v 512 +
//   w 12 + out 1024 = 3084.
// - angc (causal, same shapes, no conv): 2*16*16 = 512 pairs; matmul 2*512*16 = 16384;
//   + 1200 + 4*512 + 256 = 19888; moved 3072; KV 1 head * (8+8) * 4 B = 64.
// - thr (threshold, B=1, H=2, S=32, D=16, blocks of 16: 2x2): every key block as the
//   upper bound, 2*2*2*256 = 2048 scores; matmul 2*2048*32 = 131072, softmax 6*2048 =
//   12288; selection 2*((32+32)*16 + 2*2*2*16) = 2304 plus the threshold's softmax and
//   mass 2*2*2*(5 + 2*2) = 72: 131072 + 12288 + 2304 + 72 = 145736; moved 4*4096 = 16384.
// CHECK:      layer op params weight B FLOPs bytes moved FLOP/B KV B/tok
// CHECK-NEXT: ang loom.angular_attention 0 0 10416 3084 3.38 0
// CHECK-NEXT: angc loom.angular_attention 0 0 19888 3072 6.47 64
// CHECK-NEXT: thr loom.block_sparse_attention 0 0 145736 16384 8.90 0
// CHECK-NEXT: total 3 layers 0 0 176040 22540 7.81 64
func.func @variants(%q: tensor<1x2x16x8xf32>, %k: tensor<1x1x16x8xf32>, %v: tensor<1x1x16x8xf32>, %w: tensor<1x3xf32>,
                    %q2: tensor<1x2x32x16xf32>, %k2: tensor<1x2x32x16xf32>, %v2: tensor<1x2x32x16xf32>)
    -> (tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x32x16xf32>) {
  %0 = loom.angular_attention %q, %k, %v local(%w) : (tensor<1x2x16x8xf32>, tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32>, tensor<1x3xf32>) -> tensor<1x2x16x8xf32> loc("ang")
  %1 = loom.angular_attention %q, %k, %v {causal} : (tensor<1x2x16x8xf32>, tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32>) -> tensor<1x2x16x8xf32> loc("angc")
  %2 = loom.block_sparse_attention %q2, %k2, %v2 {block_q = 16, block_k = 16, threshold = 0.9 : f32} : (tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32>) -> tensor<1x2x32x16xf32> loc("thr")
  return %0, %1, %2 : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x32x16xf32>
}
