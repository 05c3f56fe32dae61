// RUN: loom-opt %s -split-input-file --loom-raise-attention | FileCheck %s

// Structure of loom-raise-attention on the IR loom-import-onnx makes of exporter
// attention (generated from test/Integration/Raising/Inputs/attention_cases.py, where
// test/Integration/Raising/attention.test also checks every case by execution).

// The dynamo exporter's form straight from the importer: scale split over Q and K,
// K^T as reshape/transpose/reshape, GQA 4:2 by broadcasting kv heads, an additive
// finfo.min causal mask, the NaN guard.
// CHECK-LABEL: func.func @causal_gqa
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x6x8xf32>, %[[K:.*]]: tensor<1x2x6x8xf32>, %[[V:.*]]: tensor<1x2x6x8xf32>)
// CHECK: %[[A:.*]] = loom.attention %[[Q]], %[[K]], %[[V]] {causal, scale = 0.353553{{[0-9]*}} : f32}
// CHECK-SAME: (tensor<1x4x6x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>) -> tensor<1x4x6x8xf32>
// CHECK-NOT: linalg.softmax
// CHECK: return %[[A]]
func.func @causal_gqa(%arg0: tensor<1x4x6x8xf32>, %arg1: tensor<1x2x6x8xf32>, %arg2: tensor<1x2x6x8xf32>) -> (tensor<1x4x6x8xf32>) {
  %expanded = tensor.expand_shape %arg1 [[0], [1], [2, 3], [4]] output_shape [1, 2, 1, 6, 8] : tensor<1x2x6x8xf32> into tensor<1x2x1x6x8xf32>
  %0 = tensor.empty() : tensor<1x2x2x6x8xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded : tensor<1x2x1x6x8xf32>) outs(%0 : tensor<1x2x2x6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x2x6x8xf32>
  %collapsed = tensor.collapse_shape %1 [[0], [1, 2], [3], [4]] : tensor<1x2x2x6x8xf32> into tensor<1x4x6x8xf32>
  %expanded_0 = tensor.expand_shape %arg2 [[0], [1], [2, 3], [4]] output_shape [1, 2, 1, 6, 8] : tensor<1x2x6x8xf32> into tensor<1x2x1x6x8xf32>
  %2 = tensor.empty() : tensor<1x2x2x6x8xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded_0 : tensor<1x2x1x6x8xf32>) outs(%2 : tensor<1x2x2x6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x2x6x8xf32>
  %collapsed_1 = tensor.collapse_shape %3 [[0], [1, 2], [3], [4]] : tensor<1x2x2x6x8xf32> into tensor<1x4x6x8xf32>
  %collapsed_2 = tensor.collapse_shape %collapsed [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %4 = tensor.empty() : tensor<4x8x6xf32>
  %transposed = linalg.transpose ins(%collapsed_2 : tensor<4x6x8xf32>) outs(%4 : tensor<4x8x6xf32>) permutation = [0, 2, 1] 
  %expanded_3 = tensor.expand_shape %transposed [[0, 1], [2], [3]] output_shape [1, 4, 8, 6] : tensor<4x8x6xf32> into tensor<1x4x8x6xf32>
  %cst = arith.constant dense<0.594603539> : tensor<f32>
  %5 = tensor.empty() : tensor<1x4x6x8xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %cst : tensor<1x4x6x8xf32>, tensor<f32>) outs(%5 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_14: f32, %out: f32):
    %23 = arith.mulf %in, %in_14 : f32
    linalg.yield %23 : f32
  } -> tensor<1x4x6x8xf32>
  %7 = tensor.empty() : tensor<1x4x8x6xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_3, %cst : tensor<1x4x8x6xf32>, tensor<f32>) outs(%7 : tensor<1x4x8x6xf32>) {
  ^bb0(%in: f32, %in_14: f32, %out: f32):
    %23 = arith.mulf %in, %in_14 : f32
    linalg.yield %23 : f32
  } -> tensor<1x4x8x6xf32>
  %collapsed_4 = tensor.collapse_shape %6 [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %collapsed_5 = tensor.collapse_shape %8 [[0, 1], [2], [3]] : tensor<1x4x8x6xf32> into tensor<4x8x6xf32>
  %cst_6 = arith.constant 0.000000e+00 : f32
  %9 = tensor.empty() : tensor<4x6x6xf32>
  %10 = linalg.fill ins(%cst_6 : f32) outs(%9 : tensor<4x6x6xf32>) -> tensor<4x6x6xf32>
  %11 = linalg.batch_matmul ins(%collapsed_4, %collapsed_5 : tensor<4x6x8xf32>, tensor<4x8x6xf32>) outs(%10 : tensor<4x6x6xf32>) -> tensor<4x6x6xf32>
  %expanded_7 = tensor.expand_shape %11 [[0, 1], [2], [3]] output_shape [1, 4, 6, 6] : tensor<4x6x6xf32> into tensor<1x4x6x6xf32>
  %cst_8 = arith.constant dense<[[[[0.000000e+00, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38], [0.000000e+00, 0.000000e+00, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, -3.40282347E+38, -3.40282347E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, -3.40282347E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]]]> : tensor<1x1x6x6xf32>
  %12 = tensor.empty() : tensor<1x4x6x6xf32>
  %13 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_7, %cst_8 : tensor<1x4x6x6xf32>, tensor<1x1x6x6xf32>) outs(%12 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: f32, %in_14: f32, %out: f32):
    %23 = arith.addf %in, %in_14 : f32
    linalg.yield %23 : f32
  } -> tensor<1x4x6x6xf32>
  %14 = tensor.empty() : tensor<1x4x6x6xf32>
  %15 = linalg.softmax dimension(3) ins(%13 : tensor<1x4x6x6xf32>) outs(%14 : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %16 = tensor.empty() : tensor<1x4x6x6xi1>
  %17 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%15 : tensor<1x4x6x6xf32>) outs(%16 : tensor<1x4x6x6xi1>) {
  ^bb0(%in: f32, %out: i1):
    %23 = arith.cmpf uno, %in, %in : f32
    linalg.yield %23 : i1
  } -> tensor<1x4x6x6xi1>
  %cst_9 = arith.constant dense<0.000000e+00> : tensor<f32>
  %18 = tensor.empty() : tensor<1x4x6x6xf32>
  %19 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%17, %cst_9, %15 : tensor<1x4x6x6xi1>, tensor<f32>, tensor<1x4x6x6xf32>) outs(%18 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: i1, %in_14: f32, %in_15: f32, %out: f32):
    %23 = arith.select %in, %in_14, %in_15 : f32
    linalg.yield %23 : f32
  } -> tensor<1x4x6x6xf32>
  %collapsed_10 = tensor.collapse_shape %19 [[0, 1], [2], [3]] : tensor<1x4x6x6xf32> into tensor<4x6x6xf32>
  %collapsed_11 = tensor.collapse_shape %collapsed_1 [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %cst_12 = arith.constant 0.000000e+00 : f32
  %20 = tensor.empty() : tensor<4x6x8xf32>
  %21 = linalg.fill ins(%cst_12 : f32) outs(%20 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  %22 = linalg.batch_matmul ins(%collapsed_10, %collapsed_11 : tensor<4x6x6xf32>, tensor<4x6x8xf32>) outs(%21 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  %expanded_13 = tensor.expand_shape %22 [[0, 1], [2], [3]] output_shape [1, 4, 6, 8] : tensor<4x6x8xf32> into tensor<1x4x6x8xf32>
  return %expanded_13 : tensor<1x4x6x8xf32>
}

// -----

// A ViT-style encoder after canonicalization: the mask is computed from constants
// (Where(all-true, 0, -inf)); it evaluates to zeros, so no mask and not causal.
// CHECK-LABEL: func.func @vit_like
// CHECK: loom.attention %{{.*}}, %{{.*}}, %{{.*}} {scale = 0.353553{{[0-9]*}} : f32} : (tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>)
// CHECK-NOT: linalg.softmax
func.func @vit_like(%arg0: tensor<1x4x6x8xf32>, %arg1: tensor<1x4x6x8xf32>, %arg2: tensor<1x4x6x8xf32>) -> (tensor<1x4x6x8xf32>) {
  %cst = arith.constant dense<0xFF800000> : tensor<f32>
  %cst_0 = arith.constant dense<0.000000e+00> : tensor<f32>
  %cst_1 = arith.constant dense<true> : tensor<1x1x6x6xi1>
  %cst_2 = arith.constant 0.000000e+00 : f32
  %cst_3 = arith.constant dense<0.594603539> : tensor<f32>
  %0 = tensor.empty() : tensor<1x4x8x6xf32>
  %transposed = linalg.transpose ins(%arg1 : tensor<1x4x6x8xf32>) outs(%0 : tensor<1x4x8x6xf32>) permutation = [0, 1, 3, 2] 
  %1 = tensor.empty() : tensor<1x4x6x8xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %cst_3 : tensor<1x4x6x8xf32>, tensor<f32>) outs(%1 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %18 = arith.mulf %in, %in_8 : f32
    linalg.yield %18 : f32
  } -> tensor<1x4x6x8xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%transposed, %cst_3 : tensor<1x4x8x6xf32>, tensor<f32>) outs(%0 : tensor<1x4x8x6xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %18 = arith.mulf %in, %in_8 : f32
    linalg.yield %18 : f32
  } -> tensor<1x4x8x6xf32>
  %collapsed = tensor.collapse_shape %2 [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %collapsed_4 = tensor.collapse_shape %3 [[0, 1], [2], [3]] : tensor<1x4x8x6xf32> into tensor<4x8x6xf32>
  %4 = tensor.empty() : tensor<4x6x6xf32>
  %5 = linalg.fill ins(%cst_2 : f32) outs(%4 : tensor<4x6x6xf32>) -> tensor<4x6x6xf32>
  %6 = linalg.batch_matmul ins(%collapsed, %collapsed_4 : tensor<4x6x8xf32>, tensor<4x8x6xf32>) outs(%5 : tensor<4x6x6xf32>) -> tensor<4x6x6xf32>
  %expanded = tensor.expand_shape %6 [[0, 1], [2], [3]] output_shape [1, 4, 6, 6] : tensor<4x6x6xf32> into tensor<1x4x6x6xf32>
  %7 = tensor.empty() : tensor<1x1x6x6xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%cst_1, %cst_0, %cst : tensor<1x1x6x6xi1>, tensor<f32>, tensor<f32>) outs(%7 : tensor<1x1x6x6xf32>) {
  ^bb0(%in: i1, %in_8: f32, %in_9: f32, %out: f32):
    %18 = arith.select %in, %in_8, %in_9 : f32
    linalg.yield %18 : f32
  } -> tensor<1x1x6x6xf32>
  %9 = tensor.empty() : tensor<1x4x6x6xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded, %8 : tensor<1x4x6x6xf32>, tensor<1x1x6x6xf32>) outs(%9 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %18 = arith.addf %in, %in_8 : f32
    linalg.yield %18 : f32
  } -> tensor<1x4x6x6xf32>
  %11 = linalg.softmax dimension(3) ins(%10 : tensor<1x4x6x6xf32>) outs(%9 : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %12 = tensor.empty() : tensor<1x4x6x6xi1>
  %13 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%11 : tensor<1x4x6x6xf32>) outs(%12 : tensor<1x4x6x6xi1>) {
  ^bb0(%in: f32, %out: i1):
    %18 = arith.cmpf uno, %in, %in : f32
    linalg.yield %18 : i1
  } -> tensor<1x4x6x6xi1>
  %14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%13, %cst_0, %11 : tensor<1x4x6x6xi1>, tensor<f32>, tensor<1x4x6x6xf32>) outs(%9 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: i1, %in_8: f32, %in_9: f32, %out: f32):
    %18 = arith.select %in, %in_8, %in_9 : f32
    linalg.yield %18 : f32
  } -> tensor<1x4x6x6xf32>
  %collapsed_5 = tensor.collapse_shape %14 [[0, 1], [2], [3]] : tensor<1x4x6x6xf32> into tensor<4x6x6xf32>
  %collapsed_6 = tensor.collapse_shape %arg2 [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %15 = tensor.empty() : tensor<4x6x8xf32>
  %16 = linalg.fill ins(%cst_2 : f32) outs(%15 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  %17 = linalg.batch_matmul ins(%collapsed_5, %collapsed_6 : tensor<4x6x6xf32>, tensor<4x6x8xf32>) outs(%16 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  %expanded_7 = tensor.expand_shape %17 [[0, 1], [2], [3]] output_shape [1, 4, 6, 8] : tensor<4x6x8xf32> into tensor<1x4x6x8xf32>
  return %expanded_7 : tensor<1x4x6x8xf32>
}

// -----

// A boolean causal mask, Where(cond, scores, -inf), after canonicalization.
// CHECK-LABEL: func.func @bool_mask
// CHECK: loom.attention {{.*}} {causal, scale = {{.*}}}
// CHECK-NOT: linalg.softmax
func.func @bool_mask(%arg0: tensor<1x4x6x8xf32>, %arg1: tensor<1x2x6x8xf32>, %arg2: tensor<1x2x6x8xf32>) -> (tensor<1x4x6x8xf32>) {
  %cst = arith.constant dense<0.000000e+00> : tensor<f32>
  %cst_0 = arith.constant dense<0xFF800000> : tensor<f32>
  %cst_1 = arith.constant dense<[[[[true, false, false, false, false, false], [true, true, false, false, false, false], [true, true, true, false, false, false], [true, true, true, true, false, false], [true, true, true, true, true, false], [true, true, true, true, true, true]]]]> : tensor<1x1x6x6xi1>
  %cst_2 = arith.constant 0.000000e+00 : f32
  %cst_3 = arith.constant dense<0.594603539> : tensor<f32>
  %expanded = tensor.expand_shape %arg1 [[0], [1], [2, 3], [4]] output_shape [1, 2, 1, 6, 8] : tensor<1x2x6x8xf32> into tensor<1x2x1x6x8xf32>
  %0 = tensor.empty() : tensor<1x2x2x6x8xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded : tensor<1x2x1x6x8xf32>) outs(%0 : tensor<1x2x2x6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x2x6x8xf32>
  %expanded_4 = tensor.expand_shape %arg2 [[0], [1], [2, 3], [4]] output_shape [1, 2, 1, 6, 8] : tensor<1x2x6x8xf32> into tensor<1x2x1x6x8xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded_4 : tensor<1x2x1x6x8xf32>) outs(%0 : tensor<1x2x2x6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x2x6x8xf32>
  %collapsed = tensor.collapse_shape %1 [[0, 1, 2], [3], [4]] : tensor<1x2x2x6x8xf32> into tensor<4x6x8xf32>
  %3 = tensor.empty() : tensor<4x8x6xf32>
  %transposed = linalg.transpose ins(%collapsed : tensor<4x6x8xf32>) outs(%3 : tensor<4x8x6xf32>) permutation = [0, 2, 1] 
  %expanded_5 = tensor.expand_shape %transposed [[0, 1], [2], [3]] output_shape [1, 4, 8, 6] : tensor<4x8x6xf32> into tensor<1x4x8x6xf32>
  %4 = tensor.empty() : tensor<1x4x6x8xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %cst_3 : tensor<1x4x6x8xf32>, tensor<f32>) outs(%4 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_12: f32, %out: f32):
    %20 = arith.mulf %in, %in_12 : f32
    linalg.yield %20 : f32
  } -> tensor<1x4x6x8xf32>
  %6 = tensor.empty() : tensor<1x4x8x6xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_5, %cst_3 : tensor<1x4x8x6xf32>, tensor<f32>) outs(%6 : tensor<1x4x8x6xf32>) {
  ^bb0(%in: f32, %in_12: f32, %out: f32):
    %20 = arith.mulf %in, %in_12 : f32
    linalg.yield %20 : f32
  } -> tensor<1x4x8x6xf32>
  %collapsed_6 = tensor.collapse_shape %5 [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %collapsed_7 = tensor.collapse_shape %7 [[0, 1], [2], [3]] : tensor<1x4x8x6xf32> into tensor<4x8x6xf32>
  %8 = tensor.empty() : tensor<4x6x6xf32>
  %9 = linalg.fill ins(%cst_2 : f32) outs(%8 : tensor<4x6x6xf32>) -> tensor<4x6x6xf32>
  %10 = linalg.batch_matmul ins(%collapsed_6, %collapsed_7 : tensor<4x6x8xf32>, tensor<4x8x6xf32>) outs(%9 : tensor<4x6x6xf32>) -> tensor<4x6x6xf32>
  %expanded_8 = tensor.expand_shape %10 [[0, 1], [2], [3]] output_shape [1, 4, 6, 6] : tensor<4x6x6xf32> into tensor<1x4x6x6xf32>
  %11 = tensor.empty() : tensor<1x4x6x6xf32>
  %12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%cst_1, %expanded_8, %cst_0 : tensor<1x1x6x6xi1>, tensor<1x4x6x6xf32>, tensor<f32>) outs(%11 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: i1, %in_12: f32, %in_13: f32, %out: f32):
    %20 = arith.select %in, %in_12, %in_13 : f32
    linalg.yield %20 : f32
  } -> tensor<1x4x6x6xf32>
  %13 = linalg.softmax dimension(3) ins(%12 : tensor<1x4x6x6xf32>) outs(%11 : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %14 = tensor.empty() : tensor<1x4x6x6xi1>
  %15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%13 : tensor<1x4x6x6xf32>) outs(%14 : tensor<1x4x6x6xi1>) {
  ^bb0(%in: f32, %out: i1):
    %20 = arith.cmpf uno, %in, %in : f32
    linalg.yield %20 : i1
  } -> tensor<1x4x6x6xi1>
  %16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%15, %cst, %13 : tensor<1x4x6x6xi1>, tensor<f32>, tensor<1x4x6x6xf32>) outs(%11 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: i1, %in_12: f32, %in_13: f32, %out: f32):
    %20 = arith.select %in, %in_12, %in_13 : f32
    linalg.yield %20 : f32
  } -> tensor<1x4x6x6xf32>
  %collapsed_9 = tensor.collapse_shape %16 [[0, 1], [2], [3]] : tensor<1x4x6x6xf32> into tensor<4x6x6xf32>
  %collapsed_10 = tensor.collapse_shape %2 [[0, 1, 2], [3], [4]] : tensor<1x2x2x6x8xf32> into tensor<4x6x8xf32>
  %17 = tensor.empty() : tensor<4x6x8xf32>
  %18 = linalg.fill ins(%cst_2 : f32) outs(%17 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  %19 = linalg.batch_matmul ins(%collapsed_9, %collapsed_10 : tensor<4x6x6xf32>, tensor<4x6x8xf32>) outs(%18 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  %expanded_11 = tensor.expand_shape %19 [[0, 1], [2], [3]] output_shape [1, 4, 6, 8] : tensor<4x6x8xf32> into tensor<1x4x6x8xf32>
  return %expanded_11 : tensor<1x4x6x8xf32>
}

// -----

// A padding mask that is a function argument: it becomes the mask operand (the NaN
// guard makes fully masked rows zero on both sides).
// CHECK-LABEL: func.func @padding_mask_input
// CHECK-SAME: %[[M:[a-z0-9]*]]: tensor<1x1x1x6xf32>)
// CHECK: loom.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%[[M]]) {scale = {{.*}}}
// CHECK-NOT: causal
func.func @padding_mask_input(%arg0: tensor<1x4x6x8xf32>, %arg1: tensor<1x4x6x8xf32>, %arg2: tensor<1x4x6x8xf32>, %arg3: tensor<1x1x1x6xf32>) -> (tensor<1x4x6x8xf32>) {
  %collapsed = tensor.collapse_shape %arg1 [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %0 = tensor.empty() : tensor<4x8x6xf32>
  %transposed = linalg.transpose ins(%collapsed : tensor<4x6x8xf32>) outs(%0 : tensor<4x8x6xf32>) permutation = [0, 2, 1] 
  %expanded = tensor.expand_shape %transposed [[0, 1], [2], [3]] output_shape [1, 4, 8, 6] : tensor<4x8x6xf32> into tensor<1x4x8x6xf32>
  %cst = arith.constant dense<0.594603539> : tensor<f32>
  %1 = tensor.empty() : tensor<1x4x6x8xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %cst : tensor<1x4x6x8xf32>, tensor<f32>) outs(%1 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_9: f32, %out: f32):
    %19 = arith.mulf %in, %in_9 : f32
    linalg.yield %19 : f32
  } -> tensor<1x4x6x8xf32>
  %3 = tensor.empty() : tensor<1x4x8x6xf32>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded, %cst : tensor<1x4x8x6xf32>, tensor<f32>) outs(%3 : tensor<1x4x8x6xf32>) {
  ^bb0(%in: f32, %in_9: f32, %out: f32):
    %19 = arith.mulf %in, %in_9 : f32
    linalg.yield %19 : f32
  } -> tensor<1x4x8x6xf32>
  %collapsed_0 = tensor.collapse_shape %2 [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %collapsed_1 = tensor.collapse_shape %4 [[0, 1], [2], [3]] : tensor<1x4x8x6xf32> into tensor<4x8x6xf32>
  %cst_2 = arith.constant 0.000000e+00 : f32
  %5 = tensor.empty() : tensor<4x6x6xf32>
  %6 = linalg.fill ins(%cst_2 : f32) outs(%5 : tensor<4x6x6xf32>) -> tensor<4x6x6xf32>
  %7 = linalg.batch_matmul ins(%collapsed_0, %collapsed_1 : tensor<4x6x8xf32>, tensor<4x8x6xf32>) outs(%6 : tensor<4x6x6xf32>) -> tensor<4x6x6xf32>
  %expanded_3 = tensor.expand_shape %7 [[0, 1], [2], [3]] output_shape [1, 4, 6, 6] : tensor<4x6x6xf32> into tensor<1x4x6x6xf32>
  %8 = tensor.empty() : tensor<1x4x6x6xf32>
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_3, %arg3 : tensor<1x4x6x6xf32>, tensor<1x1x1x6xf32>) outs(%8 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: f32, %in_9: f32, %out: f32):
    %19 = arith.addf %in, %in_9 : f32
    linalg.yield %19 : f32
  } -> tensor<1x4x6x6xf32>
  %10 = tensor.empty() : tensor<1x4x6x6xf32>
  %11 = linalg.softmax dimension(3) ins(%9 : tensor<1x4x6x6xf32>) outs(%10 : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %12 = tensor.empty() : tensor<1x4x6x6xi1>
  %13 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%11 : tensor<1x4x6x6xf32>) outs(%12 : tensor<1x4x6x6xi1>) {
  ^bb0(%in: f32, %out: i1):
    %19 = arith.cmpf uno, %in, %in : f32
    linalg.yield %19 : i1
  } -> tensor<1x4x6x6xi1>
  %cst_4 = arith.constant dense<0.000000e+00> : tensor<f32>
  %14 = tensor.empty() : tensor<1x4x6x6xf32>
  %15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%13, %cst_4, %11 : tensor<1x4x6x6xi1>, tensor<f32>, tensor<1x4x6x6xf32>) outs(%14 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: i1, %in_9: f32, %in_10: f32, %out: f32):
    %19 = arith.select %in, %in_9, %in_10 : f32
    linalg.yield %19 : f32
  } -> tensor<1x4x6x6xf32>
  %collapsed_5 = tensor.collapse_shape %15 [[0, 1], [2], [3]] : tensor<1x4x6x6xf32> into tensor<4x6x6xf32>
  %collapsed_6 = tensor.collapse_shape %arg2 [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %cst_7 = arith.constant 0.000000e+00 : f32
  %16 = tensor.empty() : tensor<4x6x8xf32>
  %17 = linalg.fill ins(%cst_7 : f32) outs(%16 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  %18 = linalg.batch_matmul ins(%collapsed_5, %collapsed_6 : tensor<4x6x6xf32>, tensor<4x6x8xf32>) outs(%17 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  %expanded_8 = tensor.expand_shape %18 [[0, 1], [2], [3]] output_shape [1, 4, 6, 8] : tensor<4x6x8xf32> into tensor<1x4x6x8xf32>
  return %expanded_8 : tensor<1x4x6x8xf32>
}

// -----

// Softcapping (tanh) on the scores is not attention as loom.attention defines it.
// CHECK-LABEL: func.func @negative_softcap
// CHECK-NOT: loom.attention
// CHECK: linalg.softmax
func.func @negative_softcap(%arg0: tensor<1x4x6x8xf32>, %arg1: tensor<1x2x6x8xf32>, %arg2: tensor<1x2x6x8xf32>) -> (tensor<1x4x6x8xf32>) {
  %expanded = tensor.expand_shape %arg1 [[0], [1], [2, 3], [4]] output_shape [1, 2, 1, 6, 8] : tensor<1x2x6x8xf32> into tensor<1x2x1x6x8xf32>
  %0 = tensor.empty() : tensor<1x2x2x6x8xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded : tensor<1x2x1x6x8xf32>) outs(%0 : tensor<1x2x2x6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x2x6x8xf32>
  %collapsed = tensor.collapse_shape %1 [[0], [1, 2], [3], [4]] : tensor<1x2x2x6x8xf32> into tensor<1x4x6x8xf32>
  %expanded_0 = tensor.expand_shape %arg2 [[0], [1], [2, 3], [4]] output_shape [1, 2, 1, 6, 8] : tensor<1x2x6x8xf32> into tensor<1x2x1x6x8xf32>
  %2 = tensor.empty() : tensor<1x2x2x6x8xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded_0 : tensor<1x2x1x6x8xf32>) outs(%2 : tensor<1x2x2x6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x2x6x8xf32>
  %collapsed_1 = tensor.collapse_shape %3 [[0], [1, 2], [3], [4]] : tensor<1x2x2x6x8xf32> into tensor<1x4x6x8xf32>
  %collapsed_2 = tensor.collapse_shape %collapsed [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %4 = tensor.empty() : tensor<4x8x6xf32>
  %transposed = linalg.transpose ins(%collapsed_2 : tensor<4x6x8xf32>) outs(%4 : tensor<4x8x6xf32>) permutation = [0, 2, 1] 
  %expanded_3 = tensor.expand_shape %transposed [[0, 1], [2], [3]] output_shape [1, 4, 8, 6] : tensor<4x8x6xf32> into tensor<1x4x8x6xf32>
  %cst = arith.constant dense<0.594603539> : tensor<f32>
  %5 = tensor.empty() : tensor<1x4x6x8xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %cst : tensor<1x4x6x8xf32>, tensor<f32>) outs(%5 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_15: f32, %out: f32):
    %29 = arith.mulf %in, %in_15 : f32
    linalg.yield %29 : f32
  } -> tensor<1x4x6x8xf32>
  %7 = tensor.empty() : tensor<1x4x8x6xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_3, %cst : tensor<1x4x8x6xf32>, tensor<f32>) outs(%7 : tensor<1x4x8x6xf32>) {
  ^bb0(%in: f32, %in_15: f32, %out: f32):
    %29 = arith.mulf %in, %in_15 : f32
    linalg.yield %29 : f32
  } -> tensor<1x4x8x6xf32>
  %collapsed_4 = tensor.collapse_shape %6 [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %collapsed_5 = tensor.collapse_shape %8 [[0, 1], [2], [3]] : tensor<1x4x8x6xf32> into tensor<4x8x6xf32>
  %cst_6 = arith.constant 0.000000e+00 : f32
  %9 = tensor.empty() : tensor<4x6x6xf32>
  %10 = linalg.fill ins(%cst_6 : f32) outs(%9 : tensor<4x6x6xf32>) -> tensor<4x6x6xf32>
  %11 = linalg.batch_matmul ins(%collapsed_4, %collapsed_5 : tensor<4x6x8xf32>, tensor<4x8x6xf32>) outs(%10 : tensor<4x6x6xf32>) -> tensor<4x6x6xf32>
  %expanded_7 = tensor.expand_shape %11 [[0, 1], [2], [3]] output_shape [1, 4, 6, 6] : tensor<4x6x6xf32> into tensor<1x4x6x6xf32>
  %cst_8 = arith.constant dense<5.000000e+00> : tensor<f32>
  %12 = tensor.empty() : tensor<1x4x6x6xf32>
  %13 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_7, %cst_8 : tensor<1x4x6x6xf32>, tensor<f32>) outs(%12 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: f32, %in_15: f32, %out: f32):
    %29 = arith.divf %in, %in_15 : f32
    linalg.yield %29 : f32
  } -> tensor<1x4x6x6xf32>
  %14 = tensor.empty() : tensor<1x4x6x6xf32>
  %15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%13 : tensor<1x4x6x6xf32>) outs(%14 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: f32, %out: f32):
    %29 = math.tanh %in : f32
    linalg.yield %29 : f32
  } -> tensor<1x4x6x6xf32>
  %16 = tensor.empty() : tensor<1x4x6x6xf32>
  %17 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%15, %cst_8 : tensor<1x4x6x6xf32>, tensor<f32>) outs(%16 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: f32, %in_15: f32, %out: f32):
    %29 = arith.mulf %in, %in_15 : f32
    linalg.yield %29 : f32
  } -> tensor<1x4x6x6xf32>
  %cst_9 = arith.constant dense<[[[[0.000000e+00, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38], [0.000000e+00, 0.000000e+00, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, -3.40282347E+38, -3.40282347E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, -3.40282347E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]]]> : tensor<1x1x6x6xf32>
  %18 = tensor.empty() : tensor<1x4x6x6xf32>
  %19 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%17, %cst_9 : tensor<1x4x6x6xf32>, tensor<1x1x6x6xf32>) outs(%18 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: f32, %in_15: f32, %out: f32):
    %29 = arith.addf %in, %in_15 : f32
    linalg.yield %29 : f32
  } -> tensor<1x4x6x6xf32>
  %20 = tensor.empty() : tensor<1x4x6x6xf32>
  %21 = linalg.softmax dimension(3) ins(%19 : tensor<1x4x6x6xf32>) outs(%20 : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %22 = tensor.empty() : tensor<1x4x6x6xi1>
  %23 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%21 : tensor<1x4x6x6xf32>) outs(%22 : tensor<1x4x6x6xi1>) {
  ^bb0(%in: f32, %out: i1):
    %29 = arith.cmpf uno, %in, %in : f32
    linalg.yield %29 : i1
  } -> tensor<1x4x6x6xi1>
  %cst_10 = arith.constant dense<0.000000e+00> : tensor<f32>
  %24 = tensor.empty() : tensor<1x4x6x6xf32>
  %25 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%23, %cst_10, %21 : tensor<1x4x6x6xi1>, tensor<f32>, tensor<1x4x6x6xf32>) outs(%24 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: i1, %in_15: f32, %in_16: f32, %out: f32):
    %29 = arith.select %in, %in_15, %in_16 : f32
    linalg.yield %29 : f32
  } -> tensor<1x4x6x6xf32>
  %collapsed_11 = tensor.collapse_shape %25 [[0, 1], [2], [3]] : tensor<1x4x6x6xf32> into tensor<4x6x6xf32>
  %collapsed_12 = tensor.collapse_shape %collapsed_1 [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %cst_13 = arith.constant 0.000000e+00 : f32
  %26 = tensor.empty() : tensor<4x6x8xf32>
  %27 = linalg.fill ins(%cst_13 : f32) outs(%26 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  %28 = linalg.batch_matmul ins(%collapsed_11, %collapsed_12 : tensor<4x6x6xf32>, tensor<4x6x8xf32>) outs(%27 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  %expanded_14 = tensor.expand_shape %28 [[0, 1], [2], [3]] output_shape [1, 4, 6, 8] : tensor<4x6x8xf32> into tensor<1x4x6x8xf32>
  return %expanded_14 : tensor<1x4x6x8xf32>
}

// -----

// A softmax over the queries, not the keys.
// CHECK-LABEL: func.func @negative_softmax_axis
// CHECK-NOT: loom.attention
// CHECK: linalg.softmax dimension(2)
func.func @negative_softmax_axis(%arg0: tensor<1x4x6x8xf32>, %arg1: tensor<1x2x6x8xf32>, %arg2: tensor<1x2x6x8xf32>) -> (tensor<1x4x6x8xf32>) {
  %expanded = tensor.expand_shape %arg1 [[0], [1], [2, 3], [4]] output_shape [1, 2, 1, 6, 8] : tensor<1x2x6x8xf32> into tensor<1x2x1x6x8xf32>
  %0 = tensor.empty() : tensor<1x2x2x6x8xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded : tensor<1x2x1x6x8xf32>) outs(%0 : tensor<1x2x2x6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x2x6x8xf32>
  %collapsed = tensor.collapse_shape %1 [[0], [1, 2], [3], [4]] : tensor<1x2x2x6x8xf32> into tensor<1x4x6x8xf32>
  %expanded_0 = tensor.expand_shape %arg2 [[0], [1], [2, 3], [4]] output_shape [1, 2, 1, 6, 8] : tensor<1x2x6x8xf32> into tensor<1x2x1x6x8xf32>
  %2 = tensor.empty() : tensor<1x2x2x6x8xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded_0 : tensor<1x2x1x6x8xf32>) outs(%2 : tensor<1x2x2x6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x2x6x8xf32>
  %collapsed_1 = tensor.collapse_shape %3 [[0], [1, 2], [3], [4]] : tensor<1x2x2x6x8xf32> into tensor<1x4x6x8xf32>
  %collapsed_2 = tensor.collapse_shape %collapsed [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %4 = tensor.empty() : tensor<4x8x6xf32>
  %transposed = linalg.transpose ins(%collapsed_2 : tensor<4x6x8xf32>) outs(%4 : tensor<4x8x6xf32>) permutation = [0, 2, 1] 
  %expanded_3 = tensor.expand_shape %transposed [[0, 1], [2], [3]] output_shape [1, 4, 8, 6] : tensor<4x8x6xf32> into tensor<1x4x8x6xf32>
  %cst = arith.constant dense<0.594603539> : tensor<f32>
  %5 = tensor.empty() : tensor<1x4x6x8xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %cst : tensor<1x4x6x8xf32>, tensor<f32>) outs(%5 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_14: f32, %out: f32):
    %23 = arith.mulf %in, %in_14 : f32
    linalg.yield %23 : f32
  } -> tensor<1x4x6x8xf32>
  %7 = tensor.empty() : tensor<1x4x8x6xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_3, %cst : tensor<1x4x8x6xf32>, tensor<f32>) outs(%7 : tensor<1x4x8x6xf32>) {
  ^bb0(%in: f32, %in_14: f32, %out: f32):
    %23 = arith.mulf %in, %in_14 : f32
    linalg.yield %23 : f32
  } -> tensor<1x4x8x6xf32>
  %collapsed_4 = tensor.collapse_shape %6 [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %collapsed_5 = tensor.collapse_shape %8 [[0, 1], [2], [3]] : tensor<1x4x8x6xf32> into tensor<4x8x6xf32>
  %cst_6 = arith.constant 0.000000e+00 : f32
  %9 = tensor.empty() : tensor<4x6x6xf32>
  %10 = linalg.fill ins(%cst_6 : f32) outs(%9 : tensor<4x6x6xf32>) -> tensor<4x6x6xf32>
  %11 = linalg.batch_matmul ins(%collapsed_4, %collapsed_5 : tensor<4x6x8xf32>, tensor<4x8x6xf32>) outs(%10 : tensor<4x6x6xf32>) -> tensor<4x6x6xf32>
  %expanded_7 = tensor.expand_shape %11 [[0, 1], [2], [3]] output_shape [1, 4, 6, 6] : tensor<4x6x6xf32> into tensor<1x4x6x6xf32>
  %cst_8 = arith.constant dense<[[[[0.000000e+00, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38], [0.000000e+00, 0.000000e+00, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, -3.40282347E+38, -3.40282347E+38, -3.40282347E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, -3.40282347E+38, -3.40282347E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, -3.40282347E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]]]> : tensor<1x1x6x6xf32>
  %12 = tensor.empty() : tensor<1x4x6x6xf32>
  %13 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_7, %cst_8 : tensor<1x4x6x6xf32>, tensor<1x1x6x6xf32>) outs(%12 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: f32, %in_14: f32, %out: f32):
    %23 = arith.addf %in, %in_14 : f32
    linalg.yield %23 : f32
  } -> tensor<1x4x6x6xf32>
  %14 = tensor.empty() : tensor<1x4x6x6xf32>
  %15 = linalg.softmax dimension(2) ins(%13 : tensor<1x4x6x6xf32>) outs(%14 : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %16 = tensor.empty() : tensor<1x4x6x6xi1>
  %17 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%15 : tensor<1x4x6x6xf32>) outs(%16 : tensor<1x4x6x6xi1>) {
  ^bb0(%in: f32, %out: i1):
    %23 = arith.cmpf uno, %in, %in : f32
    linalg.yield %23 : i1
  } -> tensor<1x4x6x6xi1>
  %cst_9 = arith.constant dense<0.000000e+00> : tensor<f32>
  %18 = tensor.empty() : tensor<1x4x6x6xf32>
  %19 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%17, %cst_9, %15 : tensor<1x4x6x6xi1>, tensor<f32>, tensor<1x4x6x6xf32>) outs(%18 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: i1, %in_14: f32, %in_15: f32, %out: f32):
    %23 = arith.select %in, %in_14, %in_15 : f32
    linalg.yield %23 : f32
  } -> tensor<1x4x6x6xf32>
  %collapsed_10 = tensor.collapse_shape %19 [[0, 1], [2], [3]] : tensor<1x4x6x6xf32> into tensor<4x6x6xf32>
  %collapsed_11 = tensor.collapse_shape %collapsed_1 [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %cst_12 = arith.constant 0.000000e+00 : f32
  %20 = tensor.empty() : tensor<4x6x8xf32>
  %21 = linalg.fill ins(%cst_12 : f32) outs(%20 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  %22 = linalg.batch_matmul ins(%collapsed_10, %collapsed_11 : tensor<4x6x6xf32>, tensor<4x6x8xf32>) outs(%21 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  %expanded_13 = tensor.expand_shape %22 [[0, 1], [2], [3]] output_shape [1, 4, 6, 8] : tensor<4x6x8xf32> into tensor<1x4x6x8xf32>
  return %expanded_13 : tensor<1x4x6x8xf32>
}

// -----

// A computed mask without the NaN guard: rows it masks entirely would be NaN here and
// zeros in loom.attention, so nothing is raised.
// CHECK-LABEL: func.func @negative_input_mask_no_guard
// CHECK-NOT: loom.attention
// CHECK: linalg.softmax
func.func @negative_input_mask_no_guard(%arg0: tensor<1x4x6x8xf32>, %arg1: tensor<1x4x6x8xf32>, %arg2: tensor<1x4x6x8xf32>, %arg3: tensor<1x1x1x6xf32>) -> (tensor<1x4x6x8xf32>) {
  %collapsed = tensor.collapse_shape %arg1 [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %0 = tensor.empty() : tensor<4x8x6xf32>
  %transposed = linalg.transpose ins(%collapsed : tensor<4x6x8xf32>) outs(%0 : tensor<4x8x6xf32>) permutation = [0, 2, 1] 
  %expanded = tensor.expand_shape %transposed [[0, 1], [2], [3]] output_shape [1, 4, 8, 6] : tensor<4x8x6xf32> into tensor<1x4x8x6xf32>
  %cst = arith.constant dense<0.594603539> : tensor<f32>
  %1 = tensor.empty() : tensor<1x4x6x8xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %cst : tensor<1x4x6x8xf32>, tensor<f32>) outs(%1 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %15 = arith.mulf %in, %in_8 : f32
    linalg.yield %15 : f32
  } -> tensor<1x4x6x8xf32>
  %3 = tensor.empty() : tensor<1x4x8x6xf32>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded, %cst : tensor<1x4x8x6xf32>, tensor<f32>) outs(%3 : tensor<1x4x8x6xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %15 = arith.mulf %in, %in_8 : f32
    linalg.yield %15 : f32
  } -> tensor<1x4x8x6xf32>
  %collapsed_0 = tensor.collapse_shape %2 [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %collapsed_1 = tensor.collapse_shape %4 [[0, 1], [2], [3]] : tensor<1x4x8x6xf32> into tensor<4x8x6xf32>
  %cst_2 = arith.constant 0.000000e+00 : f32
  %5 = tensor.empty() : tensor<4x6x6xf32>
  %6 = linalg.fill ins(%cst_2 : f32) outs(%5 : tensor<4x6x6xf32>) -> tensor<4x6x6xf32>
  %7 = linalg.batch_matmul ins(%collapsed_0, %collapsed_1 : tensor<4x6x8xf32>, tensor<4x8x6xf32>) outs(%6 : tensor<4x6x6xf32>) -> tensor<4x6x6xf32>
  %expanded_3 = tensor.expand_shape %7 [[0, 1], [2], [3]] output_shape [1, 4, 6, 6] : tensor<4x6x6xf32> into tensor<1x4x6x6xf32>
  %8 = tensor.empty() : tensor<1x4x6x6xf32>
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_3, %arg3 : tensor<1x4x6x6xf32>, tensor<1x1x1x6xf32>) outs(%8 : tensor<1x4x6x6xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %15 = arith.addf %in, %in_8 : f32
    linalg.yield %15 : f32
  } -> tensor<1x4x6x6xf32>
  %10 = tensor.empty() : tensor<1x4x6x6xf32>
  %11 = linalg.softmax dimension(3) ins(%9 : tensor<1x4x6x6xf32>) outs(%10 : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %collapsed_4 = tensor.collapse_shape %11 [[0, 1], [2], [3]] : tensor<1x4x6x6xf32> into tensor<4x6x6xf32>
  %collapsed_5 = tensor.collapse_shape %arg2 [[0, 1], [2], [3]] : tensor<1x4x6x8xf32> into tensor<4x6x8xf32>
  %cst_6 = arith.constant 0.000000e+00 : f32
  %12 = tensor.empty() : tensor<4x6x8xf32>
  %13 = linalg.fill ins(%cst_6 : f32) outs(%12 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  %14 = linalg.batch_matmul ins(%collapsed_4, %collapsed_5 : tensor<4x6x6xf32>, tensor<4x6x8xf32>) outs(%13 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  %expanded_7 = tensor.expand_shape %14 [[0, 1], [2], [3]] output_shape [1, 4, 6, 8] : tensor<4x6x8xf32> into tensor<1x4x6x8xf32>
  return %expanded_7 : tensor<1x4x6x8xf32>
}

// -----

// A constant -inf mask with a fully masked row (query 0 of 4 over 3 keys) and no NaN
// guard: NaN in the source, zeros in loom.attention.
// CHECK-LABEL: func.func @negative_fully_masked_no_guard
// CHECK-NOT: loom.attention
// CHECK: linalg.softmax
func.func @negative_fully_masked_no_guard(%arg0: tensor<1x4x4x8xf32>, %arg1: tensor<1x2x3x8xf32>, %arg2: tensor<1x2x3x8xf32>) -> (tensor<1x4x4x8xf32>) {
  %expanded = tensor.expand_shape %arg1 [[0], [1], [2, 3], [4]] output_shape [1, 2, 1, 3, 8] : tensor<1x2x3x8xf32> into tensor<1x2x1x3x8xf32>
  %0 = tensor.empty() : tensor<1x2x2x3x8xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded : tensor<1x2x1x3x8xf32>) outs(%0 : tensor<1x2x2x3x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x2x3x8xf32>
  %collapsed = tensor.collapse_shape %1 [[0], [1, 2], [3], [4]] : tensor<1x2x2x3x8xf32> into tensor<1x4x3x8xf32>
  %expanded_0 = tensor.expand_shape %arg2 [[0], [1], [2, 3], [4]] output_shape [1, 2, 1, 3, 8] : tensor<1x2x3x8xf32> into tensor<1x2x1x3x8xf32>
  %2 = tensor.empty() : tensor<1x2x2x3x8xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded_0 : tensor<1x2x1x3x8xf32>) outs(%2 : tensor<1x2x2x3x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x2x3x8xf32>
  %collapsed_1 = tensor.collapse_shape %3 [[0], [1, 2], [3], [4]] : tensor<1x2x2x3x8xf32> into tensor<1x4x3x8xf32>
  %collapsed_2 = tensor.collapse_shape %collapsed [[0, 1], [2], [3]] : tensor<1x4x3x8xf32> into tensor<4x3x8xf32>
  %4 = tensor.empty() : tensor<4x8x3xf32>
  %transposed = linalg.transpose ins(%collapsed_2 : tensor<4x3x8xf32>) outs(%4 : tensor<4x8x3xf32>) permutation = [0, 2, 1] 
  %expanded_3 = tensor.expand_shape %transposed [[0, 1], [2], [3]] output_shape [1, 4, 8, 3] : tensor<4x8x3xf32> into tensor<1x4x8x3xf32>
  %cst = arith.constant dense<0.594603539> : tensor<f32>
  %5 = tensor.empty() : tensor<1x4x4x8xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %cst : tensor<1x4x4x8xf32>, tensor<f32>) outs(%5 : tensor<1x4x4x8xf32>) {
  ^bb0(%in: f32, %in_13: f32, %out: f32):
    %19 = arith.mulf %in, %in_13 : f32
    linalg.yield %19 : f32
  } -> tensor<1x4x4x8xf32>
  %7 = tensor.empty() : tensor<1x4x8x3xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_3, %cst : tensor<1x4x8x3xf32>, tensor<f32>) outs(%7 : tensor<1x4x8x3xf32>) {
  ^bb0(%in: f32, %in_13: f32, %out: f32):
    %19 = arith.mulf %in, %in_13 : f32
    linalg.yield %19 : f32
  } -> tensor<1x4x8x3xf32>
  %collapsed_4 = tensor.collapse_shape %6 [[0, 1], [2], [3]] : tensor<1x4x4x8xf32> into tensor<4x4x8xf32>
  %collapsed_5 = tensor.collapse_shape %8 [[0, 1], [2], [3]] : tensor<1x4x8x3xf32> into tensor<4x8x3xf32>
  %cst_6 = arith.constant 0.000000e+00 : f32
  %9 = tensor.empty() : tensor<4x4x3xf32>
  %10 = linalg.fill ins(%cst_6 : f32) outs(%9 : tensor<4x4x3xf32>) -> tensor<4x4x3xf32>
  %11 = linalg.batch_matmul ins(%collapsed_4, %collapsed_5 : tensor<4x4x8xf32>, tensor<4x8x3xf32>) outs(%10 : tensor<4x4x3xf32>) -> tensor<4x4x3xf32>
  %expanded_7 = tensor.expand_shape %11 [[0, 1], [2], [3]] output_shape [1, 4, 4, 3] : tensor<4x4x3xf32> into tensor<1x4x4x3xf32>
  %cst_8 = arith.constant dense<[[[[0xFF800000, 0xFF800000, 0xFF800000], [0.000000e+00, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00]]]]> : tensor<1x1x4x3xf32>
  %12 = tensor.empty() : tensor<1x4x4x3xf32>
  %13 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_7, %cst_8 : tensor<1x4x4x3xf32>, tensor<1x1x4x3xf32>) outs(%12 : tensor<1x4x4x3xf32>) {
  ^bb0(%in: f32, %in_13: f32, %out: f32):
    %19 = arith.addf %in, %in_13 : f32
    linalg.yield %19 : f32
  } -> tensor<1x4x4x3xf32>
  %14 = tensor.empty() : tensor<1x4x4x3xf32>
  %15 = linalg.softmax dimension(3) ins(%13 : tensor<1x4x4x3xf32>) outs(%14 : tensor<1x4x4x3xf32>) -> tensor<1x4x4x3xf32>
  %collapsed_9 = tensor.collapse_shape %15 [[0, 1], [2], [3]] : tensor<1x4x4x3xf32> into tensor<4x4x3xf32>
  %collapsed_10 = tensor.collapse_shape %collapsed_1 [[0, 1], [2], [3]] : tensor<1x4x3x8xf32> into tensor<4x3x8xf32>
  %cst_11 = arith.constant 0.000000e+00 : f32
  %16 = tensor.empty() : tensor<4x4x8xf32>
  %17 = linalg.fill ins(%cst_11 : f32) outs(%16 : tensor<4x4x8xf32>) -> tensor<4x4x8xf32>
  %18 = linalg.batch_matmul ins(%collapsed_9, %collapsed_10 : tensor<4x4x3xf32>, tensor<4x3x8xf32>) outs(%17 : tensor<4x4x8xf32>) -> tensor<4x4x8xf32>
  %expanded_12 = tensor.expand_shape %18 [[0, 1], [2], [3]] output_shape [1, 4, 4, 8] : tensor<4x4x8xf32> into tensor<1x4x4x8xf32>
  return %expanded_12 : tensor<1x4x4x8xf32>
}
