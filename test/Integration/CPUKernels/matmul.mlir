// Execution test of the GEMM kernel (convert-linalg-to-cpu-kernels): matmul
// shapes that hit every path of Gemm.c (register-tile edges, in-place and
// packed A/B, the matrix-vector path, K beyond one KC slice), transposed and
// broadcast operands. lit.local.cfg runs each on the fast path and with
// --reference on the same random inputs and compares them (rtol 1e-5, atol
// 1e-4: K up to 600 reorders f32 sums of magnitude ~10; largest difference
// seen: 3.4e-5, in @large).

// RUN: loom-run %s --entry edges --random-seed 1 --rtol 1e-5 --atol 1e-4
// RUN: loom-run %s --entry gemv --random-seed 2 --rtol 1e-5 --atol 1e-4
// RUN: loom-run %s --entry transposed --random-seed 3 --rtol 1e-5 --atol 1e-4
// RUN: loom-run %s --entry batch_broadcast --random-seed 4 --rtol 1e-5 --atol 1e-4
// RUN: loom-run %s --entry large --random-seed 5 --rtol 1e-5 --atol 1e-4

// Every function's contraction is a kernel call on the fast path.
// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s
// CHECK-COUNT-6: llvm.call @loom_kernel_sgemm(

#a_t = affine_map<(m, n, k) -> (k, m)>
#b_t = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
#bb_a = affine_map<(b, m, n, k) -> (b, m, k)>
#bb_w = affine_map<(b, m, n, k) -> (k, n)>
#bb_c = affine_map<(b, m, n, k) -> (b, m, n)>

// 37 x 70 x 300: no dimension a multiple of a register tile.
func.func @edges(%a: tensor<37x300xf32>, %b: tensor<300x70xf32>) -> tensor<37x70xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37x70xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<37x70xf32>) -> tensor<37x70xf32>
  %c = linalg.matmul ins(%a, %b : tensor<37x300xf32>, tensor<300x70xf32>) outs(%f : tensor<37x70xf32>) -> tensor<37x70xf32>
  return %c : tensor<37x70xf32>
}

// One row: the matrix-vector path; accumulates into a non-zero init.
func.func @gemv(%a: tensor<1x129xf32>, %b: tensor<129x1000xf32>, %init: tensor<1x1000xf32>) -> tensor<1x1000xf32> {
  %c = linalg.matmul ins(%a, %b : tensor<1x129xf32>, tensor<129x1000xf32>) outs(%init : tensor<1x1000xf32>) -> tensor<1x1000xf32>
  return %c : tensor<1x1000xf32>
}

// A^T B^T through indexing maps, and a generic contraction.
func.func @transposed(%a: tensor<64x100xf32>, %b: tensor<48x64xf32>, %x: tensor<100x64xf32>) -> (tensor<100x48xf32>, tensor<100x48xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<100x48xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<100x48xf32>) -> tensor<100x48xf32>
  %c = linalg.matmul indexing_maps = [#a_t, #b_t, #c]
      ins(%a, %b : tensor<64x100xf32>, tensor<48x64xf32>) outs(%f : tensor<100x48xf32>) -> tensor<100x48xf32>
  %g = linalg.generic {indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, #b_t, #c],
      iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %b : tensor<100x64xf32>, tensor<48x64xf32>) outs(%f : tensor<100x48xf32>) {
  ^bb0(%in: f32, %w: f32, %out: f32):
    %p = arith.mulf %in, %w : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  } -> tensor<100x48xf32>
  return %c, %g : tensor<100x48xf32>, tensor<100x48xf32>
}

// A weight shared by every batch (stride 0 along the batch), and
// linalg.batch_matmul.
func.func @batch_broadcast(%x: tensor<3x20x64xf32>, %w: tensor<64x40xf32>, %y: tensor<3x40x16xf32>) -> (tensor<3x20x40xf32>, tensor<3x20x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x20x40xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<3x20x40xf32>) -> tensor<3x20x40xf32>
  %h = linalg.generic {indexing_maps = [#bb_a, #bb_w, #bb_c],
      iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<3x20x64xf32>, tensor<64x40xf32>) outs(%f : tensor<3x20x40xf32>) {
  ^bb0(%in: f32, %wt: f32, %out: f32):
    %p = arith.mulf %in, %wt : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x20x40xf32>
  %e2 = tensor.empty() : tensor<3x20x16xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<3x20x16xf32>) -> tensor<3x20x16xf32>
  %o = linalg.batch_matmul ins(%h, %y : tensor<3x20x40xf32>, tensor<3x40x16xf32>) outs(%f2 : tensor<3x20x16xf32>) -> tensor<3x20x16xf32>
  return %h, %o : tensor<3x20x40xf32>, tensor<3x20x16xf32>
}

// Packed A and B (M and N beyond the in-place limits), K over one slice.
func.func @large(%a: tensor<200x600xf32>, %b: tensor<600x130xf32>) -> tensor<200x130xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<200x130xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<200x130xf32>) -> tensor<200x130xf32>
  %c = linalg.matmul ins(%a, %b : tensor<200x600xf32>, tensor<600x130xf32>) outs(%f : tensor<200x130xf32>) -> tensor<200x130xf32>
  return %c : tensor<200x130xf32>
}
