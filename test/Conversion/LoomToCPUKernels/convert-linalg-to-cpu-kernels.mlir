// RUN: loom-opt %s --split-input-file --convert-linalg-to-cpu-kernels | FileCheck %s

// Structure of the GEMM and convolution kernel calls on buffers. Numbers are
// checked by test/Integration/CPUKernels/{matmul,conv}.mlir.

// A plain matmul: batch 1, (m, n, k) from the shapes, each operand's address
// (aligned pointer + offset) and strides along (batch, row, column); A and C
// have no batch dimension, so their batch stride is 0.
// CHECK-LABEL: func.func @matmul(
// CHECK-SAME:    %[[A:.*]]: memref<4x6xf32>, %[[B:.*]]: memref<6x5xf32>, %[[C:.*]]: memref<4x5xf32>
// CHECK:         %[[ONE:.*]] = arith.constant 1 : i64
// CHECK:         memref.extract_strided_metadata %[[A]]
// CHECK:         memref.extract_aligned_pointer_as_index %[[A]]
// CHECK:         llvm.inttoptr
// CHECK:         %[[PA:.*]] = llvm.getelementptr
// CHECK:         %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK:         memref.extract_aligned_pointer_as_index %[[B]]
// CHECK:         memref.extract_aligned_pointer_as_index %[[C]]
// CHECK:         call @loom_kernel_sgemm(%[[ONE]], %{{.*}}, %{{.*}}, %{{.*}}, %[[PA]], %[[ZERO]],
// CHECK-NOT:     linalg.matmul
// CHECK:       func.func private @loom_kernel_sgemm(i64, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64)
func.func @matmul(%a: memref<4x6xf32>, %b: memref<6x5xf32>, %c: memref<4x5xf32>) {
  linalg.matmul ins(%a, %b : memref<4x6xf32>, memref<6x5xf32>) outs(%c : memref<4x5xf32>)
  return
}

// -----

// A transposed, batched contraction written as a generic: still one call.
// CHECK-LABEL: func.func @batch_transposed(
// CHECK:         call @loom_kernel_sgemm(
// CHECK-NOT:     linalg.generic
func.func @batch_transposed(%a: memref<2x6x4xf32>, %b: memref<2x5x6xf32>, %c: memref<2x4x5xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, k, m)>,
                                   affine_map<(b, m, n, k) -> (b, n, k)>,
                                   affine_map<(b, m, n, k) -> (b, m, n)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x6x4xf32>, memref<2x5x6xf32>) outs(%c : memref<2x4x5xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Not f32: the kernel is f32 only, the loops stay.
// CHECK-LABEL: func.func @negative_i32(
// CHECK:         linalg.matmul
// CHECK-NOT:     call @loom_kernel_sgemm
func.func @negative_i32(%a: memref<4x6xi32>, %b: memref<6x5xi32>, %c: memref<4x5xi32>) {
  linalg.matmul ins(%a, %b : memref<4x6xi32>, memref<6x5xi32>) outs(%c : memref<4x5xi32>)
  return
}

// -----

// Two reduction dimensions: not a GEMM the kernel runs.
// CHECK-LABEL: func.func @negative_two_k(
// CHECK:         linalg.generic
// CHECK-NOT:     call @loom_kernel_sgemm
func.func @negative_two_k(%a: memref<4x3x2xf32>, %b: memref<3x2x5xf32>, %c: memref<4x5xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k, l) -> (m, k, l)>,
                                   affine_map<(m, n, k, l) -> (k, l, n)>,
                                   affine_map<(m, n, k, l) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<4x3x2xf32>, memref<3x2x5xf32>) outs(%c : memref<4x5xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// On tensors (before bufferization) nothing is replaced.
// CHECK-LABEL: func.func @negative_tensors(
// CHECK:         linalg.matmul
func.func @negative_tensors(%a: tensor<4x6xf32>, %b: tensor<6x5xf32>, %c: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<4x6xf32>, tensor<6x5xf32>) outs(%c : tensor<4x5xf32>) -> tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}

// -----

// The importer's convolution: sizes (batch 1, groups 1, channels 3, filters
// 8, output 4x4, kernel 2x2), then strides 2/2 and dilations 1/1, then each
// operand's address and five strides.
// CHECK-LABEL: func.func @conv(
// CHECK:         %[[N:.*]] = arith.constant 1 : i64
// CHECK-NEXT:    %[[G:.*]] = arith.constant 1 : i64
// CHECK-NEXT:    %[[CH:.*]] = arith.constant 3 : i64
// CHECK-NEXT:    %[[F:.*]] = arith.constant 8 : i64
// CHECK-NEXT:    %[[OH:.*]] = arith.constant 4 : i64
// CHECK-NEXT:    %[[OW:.*]] = arith.constant 4 : i64
// CHECK-NEXT:    %[[KH:.*]] = arith.constant 2 : i64
// CHECK-NEXT:    %[[KW:.*]] = arith.constant 2 : i64
// CHECK-NEXT:    %[[SH:.*]] = arith.constant 2 : i64
// CHECK-NEXT:    %[[SW:.*]] = arith.constant 2 : i64
// CHECK-NEXT:    %[[DH:.*]] = arith.constant 1 : i64
// CHECK-NEXT:    %[[DW:.*]] = arith.constant 1 : i64
// CHECK:         call @loom_kernel_conv2d_f32(%[[N]], %[[G]], %[[CH]], %[[F]], %[[OH]], %[[OW]], %[[KH]], %[[KW]], %[[SH]], %[[SW]], %[[DH]], %[[DW]],
// CHECK-NOT:     linalg.generic
func.func @conv(%x: memref<1x1x3x8x8xf32>, %w: memref<1x8x3x2x2xf32>, %y: memref<1x1x8x4x4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh * 2 + kh, ow * 2 + kw)>,
                                   affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>,
                                   affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x1x3x8x8xf32>, memref<1x8x3x2x2xf32>) outs(%y : memref<1x1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A convolution-shaped generic that takes the maximum (a pooling): not a
// multiply-add body, so it keeps its loops.
// CHECK-LABEL: func.func @negative_pool_body(
// CHECK:         linalg.generic
// CHECK-NOT:     call @loom_kernel_conv2d_f32
func.func @negative_pool_body(%x: memref<1x1x3x8x8xf32>, %w: memref<1x8x3x2x2xf32>, %y: memref<1x1x8x4x4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh * 2 + kh, ow * 2 + kw)>,
                                   affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>,
                                   affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x1x3x8x8xf32>, memref<1x8x3x2x2xf32>) outs(%y : memref<1x1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.maximumf %acc, %a : f32
    linalg.yield %m : f32
  }
  return
}
