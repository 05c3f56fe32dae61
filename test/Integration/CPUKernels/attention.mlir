// Execution test of the flash-attention kernel
// (convert-loom-attention-to-cpu-kernels) against the reference lowering on
// the same random inputs: GQA prefill with fewer queries than keys, a window
// with sinks, a broadcast additive mask, decode over 300 keys with Dv != D,
// queries read through a transpose (non-unit strides), and q/k/v and the
// output through transposes that are not their own inverse (the kernel reads
// and writes the transposed views; no transpose is materialised). Tolerance rtol
// 1e-5, atol 1e-6 (largest difference seen: 1.5e-7).

// RUN: loom-run %s --entry gqa_prefill --random-seed 11
// RUN: loom-run %s --entry window_sinks --random-seed 12
// RUN: loom-run %s --entry mask --random-seed 13
// RUN: loom-run %s --entry decode --random-seed 14
// RUN: loom-run %s --entry strided --random-seed 15
// RUN: loom-run %s --entry transposed_io --random-seed 16
// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s
// CHECK-COUNT-6: llvm.call @loom_attention_f32(

func.func @gqa_prefill(%q: tensor<2x8x40x16xf32>, %k: tensor<2x2x70x16xf32>, %v: tensor<2x2x70x16xf32>) -> tensor<2x8x40x16xf32> {
  %o = loom.attention %q, %k, %v {causal}
      : (tensor<2x8x40x16xf32>, tensor<2x2x70x16xf32>, tensor<2x2x70x16xf32>) -> tensor<2x8x40x16xf32>
  return %o : tensor<2x8x40x16xf32>
}

func.func @window_sinks(%q: tensor<1x4x150x32xf32>, %k: tensor<1x4x150x32xf32>, %v: tensor<1x4x150x32xf32>) -> tensor<1x4x150x32xf32> {
  %o = loom.attention %q, %k, %v {causal, window = 37, sinks = 5, scale = 0.25 : f32}
      : (tensor<1x4x150x32xf32>, tensor<1x4x150x32xf32>, tensor<1x4x150x32xf32>) -> tensor<1x4x150x32xf32>
  return %o : tensor<1x4x150x32xf32>
}

func.func @mask(%q: tensor<2x3x65x8xf32>, %k: tensor<2x3x65x8xf32>, %v: tensor<2x3x65x8xf32>, %m: tensor<1x1x65x65xf32>) -> tensor<2x3x65x8xf32> {
  %o = loom.attention %q, %k, %v mask(%m)
      : (tensor<2x3x65x8xf32>, tensor<2x3x65x8xf32>, tensor<2x3x65x8xf32>, tensor<1x1x65x65xf32>) -> tensor<2x3x65x8xf32>
  return %o : tensor<2x3x65x8xf32>
}

func.func @decode(%q: tensor<1x8x1x80xf32>, %k: tensor<1x2x300x80xf32>, %v: tensor<1x2x300x48xf32>) -> tensor<1x8x1x48xf32> {
  %o = loom.attention %q, %k, %v {causal}
      : (tensor<1x8x1x80xf32>, tensor<1x2x300x80xf32>, tensor<1x2x300x48xf32>) -> tensor<1x8x1x48xf32>
  return %o : tensor<1x8x1x48xf32>
}

// q, k, v arrive as [B, S, H, D] and are transposed to [B, H, S, D].
func.func @strided(%q: tensor<1x33x4x16xf32>, %k: tensor<1x33x4x16xf32>, %v: tensor<1x33x4x16xf32>) -> tensor<1x4x33x16xf32> {
  %e = tensor.empty() : tensor<1x4x33x16xf32>
  %qt = linalg.transpose ins(%q : tensor<1x33x4x16xf32>) outs(%e : tensor<1x4x33x16xf32>) permutation = [0, 2, 1, 3]
  %kt = linalg.transpose ins(%k : tensor<1x33x4x16xf32>) outs(%e : tensor<1x4x33x16xf32>) permutation = [0, 2, 1, 3]
  %vt = linalg.transpose ins(%v : tensor<1x33x4x16xf32>) outs(%e : tensor<1x4x33x16xf32>) permutation = [0, 2, 1, 3]
  %o = loom.attention %qt, %kt, %vt {causal}
      : (tensor<1x4x33x16xf32>, tensor<1x4x33x16xf32>, tensor<1x4x33x16xf32>) -> tensor<1x4x33x16xf32>
  return %o : tensor<1x4x33x16xf32>
}

// q, k, v arrive as [B, S, D, H] (permutation [0, 3, 1, 2] to [B, H, S, D]),
// and the output leaves as [B, S, Dv, H] (permutation [0, 2, 3, 1]).
func.func @transposed_io(%q: tensor<2x20x16x3xf32>, %k: tensor<2x37x16x3xf32>, %v: tensor<2x37x8x3xf32>) -> tensor<2x20x8x3xf32> {
  %eq = tensor.empty() : tensor<2x3x20x16xf32>
  %ek = tensor.empty() : tensor<2x3x37x16xf32>
  %ev = tensor.empty() : tensor<2x3x37x8xf32>
  %qt = linalg.transpose ins(%q : tensor<2x20x16x3xf32>) outs(%eq : tensor<2x3x20x16xf32>) permutation = [0, 3, 1, 2]
  %kt = linalg.transpose ins(%k : tensor<2x37x16x3xf32>) outs(%ek : tensor<2x3x37x16xf32>) permutation = [0, 3, 1, 2]
  %vt = linalg.transpose ins(%v : tensor<2x37x8x3xf32>) outs(%ev : tensor<2x3x37x8xf32>) permutation = [0, 3, 1, 2]
  %o = loom.attention %qt, %kt, %vt
      : (tensor<2x3x20x16xf32>, tensor<2x3x37x16xf32>, tensor<2x3x37x8xf32>) -> tensor<2x3x20x8xf32>
  %eo = tensor.empty() : tensor<2x20x8x3xf32>
  %ot = linalg.transpose ins(%o : tensor<2x3x20x8xf32>) outs(%eo : tensor<2x20x8x3xf32>) permutation = [0, 2, 3, 1]
  return %ot : tensor<2x20x8x3xf32>
}
