// RUN: loom-opt %s --loom-raise-rope | FileCheck %s
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-opt %s --loom-raise-rope -o %t/raised.mlir
// RUN: loom-run %s --entry rank2_tables --random-seed 3 --output-dir %t/a
// RUN: loom-run %t/raised.mlir --entry rank2_tables --random-seed 3 --compare %t/a/result0.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=OK
// OK: result0: {{.*}}: ok

// Structure of loom-raise-rope on the IR loom-import-onnx (then canonicalize and cse)
// makes of exporter rotary embeddings (from test/Integration/Raising/Inputs/
// layer_cases.py; test/Integration/Raising/rope.test checks every case by
// execution). @rank2_tables is also run here before and after the pass: the tables'
// reshape to the input's rank must keep the numbers (bit-exact).

// x * cos + concat(-x[..., 4:], x[..., :4]) * sin with [1,1,6,8] tables.
// CHECK-LABEL: func.func @tables_input
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x6x8xf32>, %[[C:.*]]: tensor<1x1x6x8xf32>, %[[S:.*]]: tensor<1x1x6x8xf32>)
// CHECK: %[[R:.*]] = loom.rope %[[X]], %[[C]], %[[S]] : (tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>, tensor<1x1x6x8xf32>) -> tensor<1x4x6x8xf32>
// CHECK-NOT: tensor.concat
// CHECK: return %[[R]]
func.func @tables_input(%arg0: tensor<1x4x6x8xf32>, %arg1: tensor<1x1x6x8xf32>, %arg2: tensor<1x1x6x8xf32>) -> (tensor<1x4x6x8xf32>) {
  %0 = tensor.empty() : tensor<1x4x6x8xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %arg1 : tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>) outs(%0 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %6 = arith.mulf %in, %in_1 : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x8xf32>
  %extracted_slice = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 4, 6, 4] [1, 1, 1, 1] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %extracted_slice_0 = tensor.extract_slice %arg0[0, 0, 0, 4] [1, 4, 6, 4] [1, 1, 1, 1] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %2 = tensor.empty() : tensor<1x4x6x4xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%extracted_slice_0 : tensor<1x4x6x4xf32>) outs(%2 : tensor<1x4x6x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %6 = arith.negf %in : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x4xf32>
  %concat = tensor.concat dim(3) %3, %extracted_slice : (tensor<1x4x6x4xf32>, tensor<1x4x6x4xf32>) -> tensor<1x4x6x8xf32>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%concat, %arg2 : tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>) outs(%0 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %6 = arith.mulf %in, %in_1 : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x8xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%1, %4 : tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>) outs(%0 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %6 = arith.addf %in, %in_1 : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x8xf32>
  return %5 : tensor<1x4x6x8xf32>
}

// Tables [6, 8] broadcast over batch and heads by the indexing maps, the sum's
// operands swapped: the tables are reshaped to [1, 1, 6, 8].
// CHECK-LABEL: func.func @rank2_tables
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x6x8xf32>, %[[C:.*]]: tensor<6x8xf32>, %[[S:.*]]: tensor<6x8xf32>)
// CHECK: tensor.collapse_shape %[[C]]
// CHECK: %[[C4:.*]] = tensor.expand_shape {{.*}} into tensor<1x1x6x8xf32>
// CHECK: tensor.collapse_shape %[[S]]
// CHECK: %[[S4:.*]] = tensor.expand_shape {{.*}} into tensor<1x1x6x8xf32>
// CHECK: loom.rope %[[X]], %[[C4]], %[[S4]] : (tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>, tensor<1x1x6x8xf32>)
func.func @rank2_tables(%arg0: tensor<1x4x6x8xf32>, %arg1: tensor<6x8xf32>, %arg2: tensor<6x8xf32>) -> (tensor<1x4x6x8xf32>) {
  %0 = tensor.empty() : tensor<1x4x6x8xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %arg1 : tensor<1x4x6x8xf32>, tensor<6x8xf32>) outs(%0 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %6 = arith.mulf %in, %in_1 : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x8xf32>
  %extracted_slice = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 4, 6, 4] [1, 1, 1, 1] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %extracted_slice_0 = tensor.extract_slice %arg0[0, 0, 0, 4] [1, 4, 6, 4] [1, 1, 1, 1] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %2 = tensor.empty() : tensor<1x4x6x4xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%extracted_slice_0 : tensor<1x4x6x4xf32>) outs(%2 : tensor<1x4x6x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %6 = arith.negf %in : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x4xf32>
  %concat = tensor.concat dim(3) %3, %extracted_slice : (tensor<1x4x6x4xf32>, tensor<1x4x6x4xf32>) -> tensor<1x4x6x8xf32>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%concat, %arg2 : tensor<1x4x6x8xf32>, tensor<6x8xf32>) outs(%0 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %6 = arith.mulf %in, %in_1 : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x8xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%4, %1 : tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>) outs(%0 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %6 = arith.addf %in, %in_1 : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x8xf32>
  return %5 : tensor<1x4x6x8xf32>
}

// Partial rotary: the rope of x[..., :4] concatenated with x[..., 4:] becomes one
// loom.rope on x rotating 4 of 10 channels.
// CHECK-LABEL: func.func @partial
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x6x10xf32>, %[[P:.*]]: tensor<6x1xf32>)
// CHECK: loom.rope %[[X]], %{{.*}}, %{{.*}} : (tensor<1x4x6x10xf32>, tensor<1x1x6x4xf32>, tensor<1x1x6x4xf32>) -> tensor<1x4x6x10xf32>
// CHECK-NOT: tensor.concat
func.func @partial(%arg0: tensor<1x4x6x10xf32>, %arg1: tensor<6x1xf32>) -> (tensor<1x4x6x10xf32>) {
  %cst = arith.constant dense<[[1.000000e+00, 0.00999999977]]> : tensor<1x2xf32>
  %cst_0 = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<6x2xf32>
  %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<6x2xf32>) -> tensor<6x2xf32>
  %2 = linalg.matmul ins(%arg1, %cst : tensor<6x1xf32>, tensor<1x2xf32>) outs(%1 : tensor<6x2xf32>) -> tensor<6x2xf32>
  %concat = tensor.concat dim(1) %2, %2 : (tensor<6x2xf32>, tensor<6x2xf32>) -> tensor<6x4xf32>
  %3 = tensor.empty() : tensor<6x4xf32>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%concat : tensor<6x4xf32>) outs(%3 : tensor<6x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = math.cos %in : f32
    linalg.yield %12 : f32
  } -> tensor<6x4xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%concat : tensor<6x4xf32>) outs(%3 : tensor<6x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = math.sin %in : f32
    linalg.yield %12 : f32
  } -> tensor<6x4xf32>
  %expanded = tensor.expand_shape %4 [[0, 1, 2], [3]] output_shape [1, 1, 6, 4] : tensor<6x4xf32> into tensor<1x1x6x4xf32>
  %expanded_1 = tensor.expand_shape %5 [[0, 1, 2], [3]] output_shape [1, 1, 6, 4] : tensor<6x4xf32> into tensor<1x1x6x4xf32>
  %extracted_slice = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 4, 6, 4] [1, 1, 1, 1] : tensor<1x4x6x10xf32> to tensor<1x4x6x4xf32>
  %extracted_slice_2 = tensor.extract_slice %arg0[0, 0, 0, 4] [1, 4, 6, 6] [1, 1, 1, 1] : tensor<1x4x6x10xf32> to tensor<1x4x6x6xf32>
  %6 = tensor.empty() : tensor<1x4x6x4xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%extracted_slice, %expanded : tensor<1x4x6x4xf32>, tensor<1x1x6x4xf32>) outs(%6 : tensor<1x4x6x4xf32>) {
  ^bb0(%in: f32, %in_7: f32, %out: f32):
    %12 = arith.mulf %in, %in_7 : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x4xf32>
  %extracted_slice_3 = tensor.extract_slice %extracted_slice[0, 0, 0, 0] [1, 4, 6, 2] [1, 1, 1, 1] : tensor<1x4x6x4xf32> to tensor<1x4x6x2xf32>
  %extracted_slice_4 = tensor.extract_slice %extracted_slice[0, 0, 0, 2] [1, 4, 6, 2] [1, 1, 1, 1] : tensor<1x4x6x4xf32> to tensor<1x4x6x2xf32>
  %8 = tensor.empty() : tensor<1x4x6x2xf32>
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%extracted_slice_4 : tensor<1x4x6x2xf32>) outs(%8 : tensor<1x4x6x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = arith.negf %in : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x2xf32>
  %concat_5 = tensor.concat dim(3) %9, %extracted_slice_3 : (tensor<1x4x6x2xf32>, tensor<1x4x6x2xf32>) -> tensor<1x4x6x4xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%concat_5, %expanded_1 : tensor<1x4x6x4xf32>, tensor<1x1x6x4xf32>) outs(%6 : tensor<1x4x6x4xf32>) {
  ^bb0(%in: f32, %in_7: f32, %out: f32):
    %12 = arith.mulf %in, %in_7 : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x4xf32>
  %11 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%7, %10 : tensor<1x4x6x4xf32>, tensor<1x4x6x4xf32>) outs(%6 : tensor<1x4x6x4xf32>) {
  ^bb0(%in: f32, %in_7: f32, %out: f32):
    %12 = arith.addf %in, %in_7 : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x4xf32>
  %concat_6 = tensor.concat dim(3) %11, %extracted_slice_2 : (tensor<1x4x6x4xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x10xf32>
  return %concat_6 : tensor<1x4x6x10xf32>
}

// negative_wrong_pair: concat(-x[..., :4], x[..., 4:]) is not a rotation.
// CHECK-LABEL: func.func @negative_wrong_pair
// CHECK-NOT: loom.rope
// CHECK: tensor.concat
func.func @negative_wrong_pair(%arg0: tensor<1x4x6x8xf32>, %arg1: tensor<6x1xf32>) -> (tensor<1x4x6x8xf32>) {
  %cst = arith.constant dense<[[1.000000e+00, 1.000000e-01, 0.00999999977, 1.000000e-03]]> : tensor<1x4xf32>
  %cst_0 = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<6x4xf32>
  %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<6x4xf32>) -> tensor<6x4xf32>
  %2 = linalg.matmul ins(%arg1, %cst : tensor<6x1xf32>, tensor<1x4xf32>) outs(%1 : tensor<6x4xf32>) -> tensor<6x4xf32>
  %concat = tensor.concat dim(1) %2, %2 : (tensor<6x4xf32>, tensor<6x4xf32>) -> tensor<6x8xf32>
  %3 = tensor.empty() : tensor<6x8xf32>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%concat : tensor<6x8xf32>) outs(%3 : tensor<6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = math.cos %in : f32
    linalg.yield %12 : f32
  } -> tensor<6x8xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%concat : tensor<6x8xf32>) outs(%3 : tensor<6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = math.sin %in : f32
    linalg.yield %12 : f32
  } -> tensor<6x8xf32>
  %expanded = tensor.expand_shape %4 [[0, 1, 2], [3]] output_shape [1, 1, 6, 8] : tensor<6x8xf32> into tensor<1x1x6x8xf32>
  %expanded_1 = tensor.expand_shape %5 [[0, 1, 2], [3]] output_shape [1, 1, 6, 8] : tensor<6x8xf32> into tensor<1x1x6x8xf32>
  %extracted_slice = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 4, 6, 4] [1, 1, 1, 1] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %extracted_slice_2 = tensor.extract_slice %arg0[0, 0, 0, 4] [1, 4, 6, 4] [1, 1, 1, 1] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %6 = tensor.empty() : tensor<1x4x6x4xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%extracted_slice : tensor<1x4x6x4xf32>) outs(%6 : tensor<1x4x6x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = arith.negf %in : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x4xf32>
  %concat_3 = tensor.concat dim(3) %7, %extracted_slice_2 : (tensor<1x4x6x4xf32>, tensor<1x4x6x4xf32>) -> tensor<1x4x6x8xf32>
  %8 = tensor.empty() : tensor<1x4x6x8xf32>
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %expanded : tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>) outs(%8 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_4: f32, %out: f32):
    %12 = arith.mulf %in, %in_4 : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x8xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%concat_3, %expanded_1 : tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>) outs(%8 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_4: f32, %out: f32):
    %12 = arith.mulf %in, %in_4 : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x8xf32>
  %11 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%9, %10 : tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>) outs(%8 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_4: f32, %out: f32):
    %12 = arith.addf %in, %in_4 : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x8xf32>
  return %11 : tensor<1x4x6x8xf32>
}

// negative_offset: the negated half read from x[..., 3:7].
// CHECK-LABEL: func.func @negative_offset
// CHECK-NOT: loom.rope
// CHECK: tensor.concat
func.func @negative_offset(%arg0: tensor<1x4x6x8xf32>, %arg1: tensor<1x1x6x8xf32>, %arg2: tensor<1x1x6x8xf32>) -> (tensor<1x4x6x8xf32>) {
  %0 = tensor.empty() : tensor<1x4x6x8xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %arg1 : tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>) outs(%0 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %6 = arith.mulf %in, %in_1 : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x8xf32>
  %extracted_slice = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 4, 6, 4] [1, 1, 1, 1] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %extracted_slice_0 = tensor.extract_slice %arg0[0, 0, 0, 3] [1, 4, 6, 4] [1, 1, 1, 1] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %2 = tensor.empty() : tensor<1x4x6x4xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%extracted_slice_0 : tensor<1x4x6x4xf32>) outs(%2 : tensor<1x4x6x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %6 = arith.negf %in : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x4xf32>
  %concat = tensor.concat dim(3) %3, %extracted_slice : (tensor<1x4x6x4xf32>, tensor<1x4x6x4xf32>) -> tensor<1x4x6x8xf32>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%concat, %arg2 : tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>) outs(%0 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %6 = arith.mulf %in, %in_1 : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x8xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%1, %4 : tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>) outs(%0 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %6 = arith.addf %in, %in_1 : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x8xf32>
  return %5 : tensor<1x4x6x8xf32>
}

// negative_transposed_table: sin read through a transposition is not a broadcast.
// CHECK-LABEL: func.func @negative_transposed_table
// CHECK-NOT: loom.rope
// CHECK: tensor.concat
func.func @negative_transposed_table(%arg0: tensor<1x4x6x8xf32>, %arg1: tensor<1x1x6x8xf32>, %arg2: tensor<1x1x8x6xf32>) -> (tensor<1x4x6x8xf32>) {
  %0 = tensor.empty() : tensor<1x4x6x8xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %arg1 : tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>) outs(%0 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %6 = arith.mulf %in, %in_1 : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x8xf32>
  %extracted_slice = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 4, 6, 4] [1, 1, 1, 1] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %extracted_slice_0 = tensor.extract_slice %arg0[0, 0, 0, 4] [1, 4, 6, 4] [1, 1, 1, 1] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %2 = tensor.empty() : tensor<1x4x6x4xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%extracted_slice_0 : tensor<1x4x6x4xf32>) outs(%2 : tensor<1x4x6x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %6 = arith.negf %in : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x4xf32>
  %concat = tensor.concat dim(3) %3, %extracted_slice : (tensor<1x4x6x4xf32>, tensor<1x4x6x4xf32>) -> tensor<1x4x6x8xf32>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%concat, %arg2 : tensor<1x4x6x8xf32>, tensor<1x1x8x6xf32>) outs(%0 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %6 = arith.mulf %in, %in_1 : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x8xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%1, %4 : tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>) outs(%0 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %6 = arith.addf %in, %in_1 : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x8xf32>
  return %5 : tensor<1x4x6x8xf32>
}

// negative_mixed_tables: cos would need a reshape but sin is read transposed: the
// pattern must fail before creating anything (no stray reshape of cos).
// CHECK-LABEL: func.func @negative_mixed_tables
// CHECK-NOT: loom.rope
// CHECK-NOT: tensor.collapse_shape
// CHECK: tensor.concat
func.func @negative_mixed_tables(%arg0: tensor<1x4x6x8xf32>, %arg1: tensor<6x8xf32>, %arg2: tensor<8x6xf32>) -> (tensor<1x4x6x8xf32>) {
  %0 = tensor.empty() : tensor<1x4x6x8xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %arg1 : tensor<1x4x6x8xf32>, tensor<6x8xf32>) outs(%0 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %6 = arith.mulf %in, %in_1 : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x8xf32>
  %extracted_slice = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 4, 6, 4] [1, 1, 1, 1] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %extracted_slice_0 = tensor.extract_slice %arg0[0, 0, 0, 4] [1, 4, 6, 4] [1, 1, 1, 1] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %2 = tensor.empty() : tensor<1x4x6x4xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%extracted_slice_0 : tensor<1x4x6x4xf32>) outs(%2 : tensor<1x4x6x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %6 = arith.negf %in : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x4xf32>
  %concat = tensor.concat dim(3) %3, %extracted_slice : (tensor<1x4x6x4xf32>, tensor<1x4x6x4xf32>) -> tensor<1x4x6x8xf32>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%concat, %arg2 : tensor<1x4x6x8xf32>, tensor<8x6xf32>) outs(%0 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %6 = arith.mulf %in, %in_1 : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x8xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%4, %1 : tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>) outs(%0 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %6 = arith.addf %in, %in_1 : f32
    linalg.yield %6 : f32
  } -> tensor<1x4x6x8xf32>
  return %5 : tensor<1x4x6x8xf32>
}

// GPT-J's rotate_every_two: the collapse of concat(-x[..., 1::2], x[..., 0::2]) along
// a new unit axis; the tables are computed (cos/sin of positions, repeat_interleave'd).
// CHECK-LABEL: func.func @interleaved
// CHECK-SAME: (%[[X:[^:]*]]: tensor<1x4x6x8xf32>
// CHECK: loom.rope %[[X]], %{{.*}}, %{{.*}} {interleaved} : (tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>, tensor<1x1x6x8xf32>) -> tensor<1x4x6x8xf32>
func.func @interleaved(%arg0: tensor<1x4x6x8xf32>, %arg1: tensor<6x1xf32>) -> (tensor<1x4x6x8xf32>) {
  %cst = arith.constant dense<[[1.000000e+00, 1.000000e-01, 0.00999999977, 1.000000e-03]]> : tensor<1x4xf32>
  %cst_0 = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<6x4xf32>
  %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<6x4xf32>) -> tensor<6x4xf32>
  %2 = linalg.matmul ins(%arg1, %cst : tensor<6x1xf32>, tensor<1x4xf32>) outs(%1 : tensor<6x4xf32>) -> tensor<6x4xf32>
  %expanded = tensor.expand_shape %2 [[0], [1, 2]] output_shape [6, 4, 1] : tensor<6x4xf32> into tensor<6x4x1xf32>
  %concat = tensor.concat dim(2) %expanded, %expanded : (tensor<6x4x1xf32>, tensor<6x4x1xf32>) -> tensor<6x4x2xf32>
  %collapsed = tensor.collapse_shape %concat [[0], [1, 2]] : tensor<6x4x2xf32> into tensor<6x8xf32>
  %3 = tensor.empty() : tensor<6x8xf32>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%collapsed : tensor<6x8xf32>) outs(%3 : tensor<6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = math.cos %in : f32
    linalg.yield %12 : f32
  } -> tensor<6x8xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%collapsed : tensor<6x8xf32>) outs(%3 : tensor<6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = math.sin %in : f32
    linalg.yield %12 : f32
  } -> tensor<6x8xf32>
  %expanded_1 = tensor.expand_shape %4 [[0, 1, 2], [3]] output_shape [1, 1, 6, 8] : tensor<6x8xf32> into tensor<1x1x6x8xf32>
  %expanded_2 = tensor.expand_shape %5 [[0, 1, 2], [3]] output_shape [1, 1, 6, 8] : tensor<6x8xf32> into tensor<1x1x6x8xf32>
  %extracted_slice = tensor.extract_slice %arg0[0, 0, 0, 1] [1, 4, 6, 4] [1, 1, 1, 2] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %6 = tensor.empty() : tensor<1x4x6x4xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%extracted_slice : tensor<1x4x6x4xf32>) outs(%6 : tensor<1x4x6x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = arith.negf %in : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x4xf32>
  %expanded_3 = tensor.expand_shape %7 [[0], [1], [2], [3, 4]] output_shape [1, 4, 6, 4, 1] : tensor<1x4x6x4xf32> into tensor<1x4x6x4x1xf32>
  %extracted_slice_4 = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 4, 6, 4] [1, 1, 1, 2] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %expanded_5 = tensor.expand_shape %extracted_slice_4 [[0], [1], [2], [3, 4]] output_shape [1, 4, 6, 4, 1] : tensor<1x4x6x4xf32> into tensor<1x4x6x4x1xf32>
  %concat_6 = tensor.concat dim(4) %expanded_3, %expanded_5 : (tensor<1x4x6x4x1xf32>, tensor<1x4x6x4x1xf32>) -> tensor<1x4x6x4x2xf32>
  %collapsed_7 = tensor.collapse_shape %concat_6 [[0], [1], [2], [3, 4]] : tensor<1x4x6x4x2xf32> into tensor<1x4x6x8xf32>
  %8 = tensor.empty() : tensor<1x4x6x8xf32>
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %expanded_1 : tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>) outs(%8 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %12 = arith.mulf %in, %in_8 : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x8xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%collapsed_7, %expanded_2 : tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>) outs(%8 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %12 = arith.mulf %in, %in_8 : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x8xf32>
  %11 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%9, %10 : tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>) outs(%8 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %12 = arith.addf %in, %in_8 : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x8xf32>
  return %11 : tensor<1x4x6x8xf32>
}

// negative_interleaved_wrong_sign: concat(x[..., 1::2], -x[..., 0::2]).
// CHECK-LABEL: func.func @negative_interleaved_wrong_sign
// CHECK-NOT: loom.rope
// CHECK: tensor.concat
func.func @negative_interleaved_wrong_sign(%arg0: tensor<1x4x6x8xf32>, %arg1: tensor<6x1xf32>) -> (tensor<1x4x6x8xf32>) {
  %cst = arith.constant dense<[[1.000000e+00, 1.000000e-01, 0.00999999977, 1.000000e-03]]> : tensor<1x4xf32>
  %cst_0 = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<6x4xf32>
  %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<6x4xf32>) -> tensor<6x4xf32>
  %2 = linalg.matmul ins(%arg1, %cst : tensor<6x1xf32>, tensor<1x4xf32>) outs(%1 : tensor<6x4xf32>) -> tensor<6x4xf32>
  %expanded = tensor.expand_shape %2 [[0], [1, 2]] output_shape [6, 4, 1] : tensor<6x4xf32> into tensor<6x4x1xf32>
  %concat = tensor.concat dim(2) %expanded, %expanded : (tensor<6x4x1xf32>, tensor<6x4x1xf32>) -> tensor<6x4x2xf32>
  %collapsed = tensor.collapse_shape %concat [[0], [1, 2]] : tensor<6x4x2xf32> into tensor<6x8xf32>
  %3 = tensor.empty() : tensor<6x8xf32>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%collapsed : tensor<6x8xf32>) outs(%3 : tensor<6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = math.cos %in : f32
    linalg.yield %12 : f32
  } -> tensor<6x8xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%collapsed : tensor<6x8xf32>) outs(%3 : tensor<6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = math.sin %in : f32
    linalg.yield %12 : f32
  } -> tensor<6x8xf32>
  %expanded_1 = tensor.expand_shape %4 [[0, 1, 2], [3]] output_shape [1, 1, 6, 8] : tensor<6x8xf32> into tensor<1x1x6x8xf32>
  %expanded_2 = tensor.expand_shape %5 [[0, 1, 2], [3]] output_shape [1, 1, 6, 8] : tensor<6x8xf32> into tensor<1x1x6x8xf32>
  %extracted_slice = tensor.extract_slice %arg0[0, 0, 0, 1] [1, 4, 6, 4] [1, 1, 1, 2] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %expanded_3 = tensor.expand_shape %extracted_slice [[0], [1], [2], [3, 4]] output_shape [1, 4, 6, 4, 1] : tensor<1x4x6x4xf32> into tensor<1x4x6x4x1xf32>
  %extracted_slice_4 = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 4, 6, 4] [1, 1, 1, 2] : tensor<1x4x6x8xf32> to tensor<1x4x6x4xf32>
  %6 = tensor.empty() : tensor<1x4x6x4xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%extracted_slice_4 : tensor<1x4x6x4xf32>) outs(%6 : tensor<1x4x6x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = arith.negf %in : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x4xf32>
  %expanded_5 = tensor.expand_shape %7 [[0], [1], [2], [3, 4]] output_shape [1, 4, 6, 4, 1] : tensor<1x4x6x4xf32> into tensor<1x4x6x4x1xf32>
  %concat_6 = tensor.concat dim(4) %expanded_3, %expanded_5 : (tensor<1x4x6x4x1xf32>, tensor<1x4x6x4x1xf32>) -> tensor<1x4x6x4x2xf32>
  %collapsed_7 = tensor.collapse_shape %concat_6 [[0], [1], [2], [3, 4]] : tensor<1x4x6x4x2xf32> into tensor<1x4x6x8xf32>
  %8 = tensor.empty() : tensor<1x4x6x8xf32>
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %expanded_1 : tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>) outs(%8 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %12 = arith.mulf %in, %in_8 : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x8xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%collapsed_7, %expanded_2 : tensor<1x4x6x8xf32>, tensor<1x1x6x8xf32>) outs(%8 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %12 = arith.mulf %in, %in_8 : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x8xf32>
  %11 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%9, %10 : tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>) outs(%8 : tensor<1x4x6x8xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %12 = arith.addf %in, %in_8 : f32
    linalg.yield %12 : f32
  } -> tensor<1x4x6x8xf32>
  return %11 : tensor<1x4x6x8xf32>
}
