// RUN: loom-opt %s -split-input-file --loom-raise-moe | FileCheck %s

// Structure of loom-raise-moe on the IR loom-import-onnx makes of exported MoE blocks
// (generated, canonicalized, from test/Integration/Raising/Inputs/moe_cases.py with
// --weights-as-inputs, so that the tables are arguments; test/Integration/Raising/
// moe.test checks every case by execution, with constant tables too).

// HF batched_mm experts: rows t*K + s, a fused gate/up table [E, 2F, H] in nn.Linear
// layout and a down table [E, H, F]. The tables are sliced and transposed to loom's
// [E, in, out]; the router weight is the transposed gate.
// CHECK-LABEL: func.func @flat_renorm
// CHECK-SAME: (%[[X:[a-z0-9]*]]: tensor<5x8xf32>, %[[WG:[a-z0-9]*]]: tensor<4x8xf32>, %[[GU:[a-z0-9]*]]: tensor<4x24x8xf32>, %[[DOWN:[a-z0-9]*]]: tensor<4x8x12xf32>)
// CHECK-DAG: %[[RW:.*]] = linalg.transpose ins(%[[WG]] : tensor<4x8xf32>)
// CHECK-DAG: %[[G:.*]] = tensor.extract_slice %[[GU]][0, 0, 0] [4, 12, 8] [1, 1, 1]
// CHECK-DAG: %[[U:.*]] = tensor.extract_slice %[[GU]][0, 12, 0] [4, 12, 8] [1, 1, 1]
// CHECK-DAG: %[[W1:.*]] = linalg.transpose ins(%[[G]] : tensor<4x12x8xf32>) {{.*}} permutation = [0, 2, 1]
// CHECK-DAG: %[[W3:.*]] = linalg.transpose ins(%[[U]] : tensor<4x12x8xf32>) {{.*}} permutation = [0, 2, 1]
// CHECK-DAG: %[[W2:.*]] = linalg.transpose ins(%[[DOWN]] : tensor<4x8x12xf32>) {{.*}} permutation = [0, 2, 1]
// CHECK: %[[OUT:.*]], %{{.*}} = loom.moe.ffn %[[X]], %[[RW]] weights(%[[W1]], %[[W2]], %[[W3]]) {k = 2 : i64, renormalize}
// CHECK: return %[[OUT]]
func.func @flat_renorm(%arg0: tensor<5x8xf32>, %arg1: tensor<4x8xf32>, %arg2: tensor<4x24x8xf32>, %arg3: tensor<4x8x12xf32>) -> (tensor<5x8xf32>) {
  %cst = arith.constant 1.000000e+00 : f32
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c0 = arith.constant 0 : index
  %cst_0 = arith.constant dense<3> : tensor<i64>
  %cst_1 = arith.constant dense<0> : tensor<i64>
  %cst_2 = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<8x4xf32>
  %transposed = linalg.transpose ins(%arg1 : tensor<4x8xf32>) outs(%0 : tensor<8x4xf32>) permutation = [1, 0] 
  %1 = tensor.empty() : tensor<5x4xf32>
  %2 = linalg.fill ins(%cst_2 : f32) outs(%1 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %3 = linalg.matmul ins(%arg0, %transposed : tensor<5x8xf32>, tensor<8x4xf32>) outs(%2 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %4 = linalg.softmax dimension(1) ins(%3 : tensor<5x4xf32>) outs(%1 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %values, %indices = loom.topk %4 {axis = 1 : i64, k = 2 : i64} : tensor<5x4xf32> -> (tensor<5x2xf32>, tensor<5x2xi64>)
  %5 = tensor.empty() : tensor<5xf32>
  %6 = linalg.fill ins(%cst_2 : f32) outs(%5 : tensor<5xf32>) -> tensor<5xf32>
  %reduced = linalg.reduce ins(%values : tensor<5x2xf32>) outs(%6 : tensor<5xf32>) dimensions = [1] 
    (%in: f32, %init: f32) {
      %31 = arith.addf %in, %init : f32
      linalg.yield %31 : f32
    }
  %expanded = tensor.expand_shape %reduced [[0, 1]] output_shape [5, 1] : tensor<5xf32> into tensor<5x1xf32>
  %7 = tensor.empty() : tensor<5x2xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%values, %expanded : tensor<5x2xf32>, tensor<5x1xf32>) outs(%7 : tensor<5x2xf32>) {
  ^bb0(%in: f32, %in_15: f32, %out: f32):
    %31 = arith.divf %in, %in_15 : f32
    linalg.yield %31 : f32
  } -> tensor<5x2xf32>
  %expanded_3 = tensor.expand_shape %arg0 [[0], [1, 2]] output_shape [5, 1, 8] : tensor<5x8xf32> into tensor<5x1x8xf32>
  %9 = tensor.empty() : tensor<5x2x8xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, 0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded_3 : tensor<5x1x8xf32>) outs(%9 : tensor<5x2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<5x2x8xf32>
  %collapsed = tensor.collapse_shape %10 [[0, 1], [2]] : tensor<5x2x8xf32> into tensor<10x8xf32>
  %collapsed_4 = tensor.collapse_shape %indices [[0, 1]] : tensor<5x2xi64> into tensor<10xi64>
  %11 = tensor.empty() : tensor<10xi64>
  %12 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%collapsed_4, %cst_1, %cst_0 : tensor<10xi64>, tensor<i64>, tensor<i64>) outs(%11 : tensor<10xi64>) {
  ^bb0(%in: i64, %in_15: i64, %in_16: i64, %out: i64):
    %31 = arith.cmpi slt, %in, %in_15 : i64
    %32 = arith.select %31, %in_15, %in : i64
    %33 = arith.cmpi sgt, %32, %in_16 : i64
    %34 = arith.select %33, %in_16, %32 : i64
    linalg.yield %34 : i64
  } -> tensor<10xi64>
  %expanded_5 = tensor.expand_shape %12 [[0, 1]] output_shape [10, 1] : tensor<10xi64> into tensor<10x1xi64>
  %13 = tensor.empty() : tensor<10x24x8xf32>
  %14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%13 : tensor<10x24x8xf32>) {
  ^bb0(%out: f32):
    %31 = linalg.index 0 : index
    %32 = linalg.index 1 : index
    %33 = linalg.index 2 : index
    %extracted = tensor.extract %expanded_5[%31, %c0] : tensor<10x1xi64>
    %34 = arith.index_cast %extracted : i64 to index
    %35 = arith.cmpi slt, %34, %c0 : index
    %36 = arith.addi %34, %c4 : index
    %37 = arith.select %35, %36, %34 : index
    %38 = arith.maxsi %37, %c0 : index
    %39 = arith.minsi %38, %c3 : index
    %extracted_15 = tensor.extract %arg2[%39, %32, %33] : tensor<4x24x8xf32>
    linalg.yield %extracted_15 : f32
  } -> tensor<10x24x8xf32>
  %expanded_6 = tensor.expand_shape %collapsed [[0], [1, 2]] output_shape [10, 8, 1] : tensor<10x8xf32> into tensor<10x8x1xf32>
  %15 = tensor.empty() : tensor<10x24x1xf32>
  %16 = linalg.fill ins(%cst_2 : f32) outs(%15 : tensor<10x24x1xf32>) -> tensor<10x24x1xf32>
  %17 = linalg.batch_matmul ins(%14, %expanded_6 : tensor<10x24x8xf32>, tensor<10x8x1xf32>) outs(%16 : tensor<10x24x1xf32>) -> tensor<10x24x1xf32>
  %collapsed_7 = tensor.collapse_shape %17 [[0], [1, 2]] : tensor<10x24x1xf32> into tensor<10x24xf32>
  %extracted_slice = tensor.extract_slice %collapsed_7[0, 0] [10, 12] [1, 1] : tensor<10x24xf32> to tensor<10x12xf32>
  %extracted_slice_8 = tensor.extract_slice %collapsed_7[0, 12] [10, 12] [1, 1] : tensor<10x24xf32> to tensor<10x12xf32>
  %18 = tensor.empty() : tensor<10x12xf32>
  %19 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%extracted_slice : tensor<10x12xf32>) outs(%18 : tensor<10x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %31 = arith.negf %in : f32
    %32 = math.exp %31 : f32
    %33 = arith.addf %32, %cst : f32
    %34 = arith.divf %cst, %33 : f32
    linalg.yield %34 : f32
  } -> tensor<10x12xf32>
  %20 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%extracted_slice, %19 : tensor<10x12xf32>, tensor<10x12xf32>) outs(%18 : tensor<10x12xf32>) {
  ^bb0(%in: f32, %in_15: f32, %out: f32):
    %31 = arith.mulf %in, %in_15 : f32
    linalg.yield %31 : f32
  } -> tensor<10x12xf32>
  %21 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20, %extracted_slice_8 : tensor<10x12xf32>, tensor<10x12xf32>) outs(%18 : tensor<10x12xf32>) {
  ^bb0(%in: f32, %in_15: f32, %out: f32):
    %31 = arith.mulf %in, %in_15 : f32
    linalg.yield %31 : f32
  } -> tensor<10x12xf32>
  %22 = tensor.empty() : tensor<10x8x12xf32>
  %23 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%22 : tensor<10x8x12xf32>) {
  ^bb0(%out: f32):
    %31 = linalg.index 0 : index
    %32 = linalg.index 1 : index
    %33 = linalg.index 2 : index
    %extracted = tensor.extract %expanded_5[%31, %c0] : tensor<10x1xi64>
    %34 = arith.index_cast %extracted : i64 to index
    %35 = arith.cmpi slt, %34, %c0 : index
    %36 = arith.addi %34, %c4 : index
    %37 = arith.select %35, %36, %34 : index
    %38 = arith.maxsi %37, %c0 : index
    %39 = arith.minsi %38, %c3 : index
    %extracted_15 = tensor.extract %arg3[%39, %32, %33] : tensor<4x8x12xf32>
    linalg.yield %extracted_15 : f32
  } -> tensor<10x8x12xf32>
  %expanded_9 = tensor.expand_shape %21 [[0], [1, 2]] output_shape [10, 12, 1] : tensor<10x12xf32> into tensor<10x12x1xf32>
  %24 = tensor.empty() : tensor<10x8x1xf32>
  %25 = linalg.fill ins(%cst_2 : f32) outs(%24 : tensor<10x8x1xf32>) -> tensor<10x8x1xf32>
  %26 = linalg.batch_matmul ins(%23, %expanded_9 : tensor<10x8x12xf32>, tensor<10x12x1xf32>) outs(%25 : tensor<10x8x1xf32>) -> tensor<10x8x1xf32>
  %collapsed_10 = tensor.collapse_shape %26 [[0], [1, 2]] : tensor<10x8x1xf32> into tensor<10x8xf32>
  %collapsed_11 = tensor.collapse_shape %8 [[0, 1]] : tensor<5x2xf32> into tensor<10xf32>
  %expanded_12 = tensor.expand_shape %collapsed_11 [[0, 1]] output_shape [10, 1] : tensor<10xf32> into tensor<10x1xf32>
  %27 = tensor.empty() : tensor<10x8xf32>
  %28 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%collapsed_10, %expanded_12 : tensor<10x8xf32>, tensor<10x1xf32>) outs(%27 : tensor<10x8xf32>) {
  ^bb0(%in: f32, %in_15: f32, %out: f32):
    %31 = arith.mulf %in, %in_15 : f32
    linalg.yield %31 : f32
  } -> tensor<10x8xf32>
  %expanded_13 = tensor.expand_shape %28 [[0, 1], [2]] output_shape [5, 2, 8] : tensor<10x8xf32> into tensor<5x2x8xf32>
  %29 = tensor.empty() : tensor<5x8xf32>
  %30 = linalg.fill ins(%cst_2 : f32) outs(%29 : tensor<5x8xf32>) -> tensor<5x8xf32>
  %reduced_14 = linalg.reduce ins(%expanded_13 : tensor<5x2x8xf32>) outs(%30 : tensor<5x8xf32>) dimensions = [1] 
    (%in: f32, %init: f32) {
      %31 = arith.addf %in, %init : f32
      linalg.yield %31 : f32
    }
  return %reduced_14 : tensor<5x8xf32>
}

// -----

// A loop over the slots with [E, in, out] tables: used as they are.
// CHECK-LABEL: func.func @slot_renorm
// CHECK-SAME: (%[[X:[a-z0-9]*]]: tensor<5x8xf32>, %{{[a-z0-9]*}}: tensor<4x8xf32>, %[[W1:[a-z0-9]*]]: tensor<4x8x12xf32>, %[[W3:[a-z0-9]*]]: tensor<4x8x12xf32>, %[[W2:[a-z0-9]*]]: tensor<4x12x8xf32>)
// CHECK: %[[OUT:.*]], %{{.*}} = loom.moe.ffn %[[X]], %{{.*}} weights(%[[W1]], %[[W2]], %[[W3]]) {k = 2 : i64, renormalize}
// CHECK-NOT: linalg.batch_matmul
// CHECK: return %[[OUT]]
func.func @slot_renorm(%arg0: tensor<5x8xf32>, %arg1: tensor<4x8xf32>, %arg2: tensor<4x8x12xf32>, %arg3: tensor<4x8x12xf32>, %arg4: tensor<4x12x8xf32>) -> (tensor<5x8xf32>) {
  %cst = arith.constant dense<1> : tensor<i64>
  %cst_0 = arith.constant dense<0.000000e+00> : tensor<5x8xf32>
  %cst_1 = arith.constant 1.000000e+00 : f32
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %cst_2 = arith.constant dense<0> : tensor<i64>
  %cst_3 = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<8x4xf32>
  %transposed = linalg.transpose ins(%arg1 : tensor<4x8xf32>) outs(%0 : tensor<8x4xf32>) permutation = [1, 0] 
  %1 = tensor.empty() : tensor<5x4xf32>
  %2 = linalg.fill ins(%cst_3 : f32) outs(%1 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %3 = linalg.matmul ins(%arg0, %transposed : tensor<5x8xf32>, tensor<8x4xf32>) outs(%2 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %4 = linalg.softmax dimension(1) ins(%3 : tensor<5x4xf32>) outs(%1 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %values, %indices = loom.topk %4 {axis = 1 : i64, k = 2 : i64} : tensor<5x4xf32> -> (tensor<5x2xf32>, tensor<5x2xi64>)
  %5 = tensor.empty() : tensor<5xf32>
  %6 = linalg.fill ins(%cst_3 : f32) outs(%5 : tensor<5xf32>) -> tensor<5xf32>
  %reduced = linalg.reduce ins(%values : tensor<5x2xf32>) outs(%6 : tensor<5xf32>) dimensions = [1] 
    (%in: f32, %init: f32) {
      %43 = arith.addf %in, %init : f32
      linalg.yield %43 : f32
    }
  %expanded = tensor.expand_shape %reduced [[0, 1]] output_shape [5, 1] : tensor<5xf32> into tensor<5x1xf32>
  %7 = tensor.empty() : tensor<5x2xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%values, %expanded : tensor<5x2xf32>, tensor<5x1xf32>) outs(%7 : tensor<5x2xf32>) {
  ^bb0(%in: f32, %in_10: f32, %out: f32):
    %43 = arith.divf %in, %in_10 : f32
    linalg.yield %43 : f32
  } -> tensor<5x2xf32>
  %expanded_4 = tensor.expand_shape %arg0 [[0], [1, 2]] output_shape [5, 1, 8] : tensor<5x8xf32> into tensor<5x1x8xf32>
  %9 = tensor.empty() : tensor<5xi64>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%cst_2 : tensor<i64>) outs(%9 : tensor<5xi64>) {
  ^bb0(%in: i64, %out: i64):
    %43 = arith.index_cast %in : i64 to index
    %44 = arith.cmpi slt, %43, %c0 : index
    %45 = arith.addi %43, %c2 : index
    %46 = arith.select %44, %45, %43 : index
    %47 = arith.maxsi %46, %c0 : index
    %48 = arith.minsi %47, %c1 : index
    %49 = linalg.index 0 : index
    %extracted = tensor.extract %indices[%49, %48] : tensor<5x2xi64>
    linalg.yield %extracted : i64
  } -> tensor<5xi64>
  %expanded_5 = tensor.expand_shape %10 [[0, 1]] output_shape [5, 1] : tensor<5xi64> into tensor<5x1xi64>
  %11 = tensor.empty() : tensor<5x8x12xf32>
  %12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%11 : tensor<5x8x12xf32>) {
  ^bb0(%out: f32):
    %43 = linalg.index 0 : index
    %44 = linalg.index 1 : index
    %45 = linalg.index 2 : index
    %extracted = tensor.extract %expanded_5[%43, %c0] : tensor<5x1xi64>
    %46 = arith.index_cast %extracted : i64 to index
    %47 = arith.cmpi slt, %46, %c0 : index
    %48 = arith.addi %46, %c4 : index
    %49 = arith.select %47, %48, %46 : index
    %50 = arith.maxsi %49, %c0 : index
    %51 = arith.minsi %50, %c3 : index
    %extracted_10 = tensor.extract %arg2[%51, %44, %45] : tensor<4x8x12xf32>
    linalg.yield %extracted_10 : f32
  } -> tensor<5x8x12xf32>
  %13 = tensor.empty() : tensor<5x1x12xf32>
  %14 = linalg.fill ins(%cst_3 : f32) outs(%13 : tensor<5x1x12xf32>) -> tensor<5x1x12xf32>
  %15 = linalg.batch_matmul ins(%expanded_4, %12 : tensor<5x1x8xf32>, tensor<5x8x12xf32>) outs(%14 : tensor<5x1x12xf32>) -> tensor<5x1x12xf32>
  %16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%11 : tensor<5x8x12xf32>) {
  ^bb0(%out: f32):
    %43 = linalg.index 0 : index
    %44 = linalg.index 1 : index
    %45 = linalg.index 2 : index
    %extracted = tensor.extract %expanded_5[%43, %c0] : tensor<5x1xi64>
    %46 = arith.index_cast %extracted : i64 to index
    %47 = arith.cmpi slt, %46, %c0 : index
    %48 = arith.addi %46, %c4 : index
    %49 = arith.select %47, %48, %46 : index
    %50 = arith.maxsi %49, %c0 : index
    %51 = arith.minsi %50, %c3 : index
    %extracted_10 = tensor.extract %arg3[%51, %44, %45] : tensor<4x8x12xf32>
    linalg.yield %extracted_10 : f32
  } -> tensor<5x8x12xf32>
  %17 = linalg.batch_matmul ins(%expanded_4, %16 : tensor<5x1x8xf32>, tensor<5x8x12xf32>) outs(%14 : tensor<5x1x12xf32>) -> tensor<5x1x12xf32>
  %18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%15 : tensor<5x1x12xf32>) outs(%13 : tensor<5x1x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %43 = arith.negf %in : f32
    %44 = math.exp %43 : f32
    %45 = arith.addf %44, %cst_1 : f32
    %46 = arith.divf %cst_1, %45 : f32
    linalg.yield %46 : f32
  } -> tensor<5x1x12xf32>
  %19 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%15, %18 : tensor<5x1x12xf32>, tensor<5x1x12xf32>) outs(%13 : tensor<5x1x12xf32>) {
  ^bb0(%in: f32, %in_10: f32, %out: f32):
    %43 = arith.mulf %in, %in_10 : f32
    linalg.yield %43 : f32
  } -> tensor<5x1x12xf32>
  %20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%19, %17 : tensor<5x1x12xf32>, tensor<5x1x12xf32>) outs(%13 : tensor<5x1x12xf32>) {
  ^bb0(%in: f32, %in_10: f32, %out: f32):
    %43 = arith.mulf %in, %in_10 : f32
    linalg.yield %43 : f32
  } -> tensor<5x1x12xf32>
  %21 = tensor.empty() : tensor<5x12x8xf32>
  %22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%21 : tensor<5x12x8xf32>) {
  ^bb0(%out: f32):
    %43 = linalg.index 0 : index
    %44 = linalg.index 1 : index
    %45 = linalg.index 2 : index
    %extracted = tensor.extract %expanded_5[%43, %c0] : tensor<5x1xi64>
    %46 = arith.index_cast %extracted : i64 to index
    %47 = arith.cmpi slt, %46, %c0 : index
    %48 = arith.addi %46, %c4 : index
    %49 = arith.select %47, %48, %46 : index
    %50 = arith.maxsi %49, %c0 : index
    %51 = arith.minsi %50, %c3 : index
    %extracted_10 = tensor.extract %arg4[%51, %44, %45] : tensor<4x12x8xf32>
    linalg.yield %extracted_10 : f32
  } -> tensor<5x12x8xf32>
  %23 = tensor.empty() : tensor<5x1x8xf32>
  %24 = linalg.fill ins(%cst_3 : f32) outs(%23 : tensor<5x1x8xf32>) -> tensor<5x1x8xf32>
  %25 = linalg.batch_matmul ins(%20, %22 : tensor<5x1x12xf32>, tensor<5x12x8xf32>) outs(%24 : tensor<5x1x8xf32>) -> tensor<5x1x8xf32>
  %collapsed = tensor.collapse_shape %25 [[0], [1, 2]] : tensor<5x1x8xf32> into tensor<5x8xf32>
  %26 = linalg.generic {indexing_maps = [affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%cst_2 : tensor<i64>) outs(%5 : tensor<5xf32>) {
  ^bb0(%in: i64, %out: f32):
    %43 = arith.index_cast %in : i64 to index
    %44 = arith.cmpi slt, %43, %c0 : index
    %45 = arith.addi %43, %c2 : index
    %46 = arith.select %44, %45, %43 : index
    %47 = arith.maxsi %46, %c0 : index
    %48 = arith.minsi %47, %c1 : index
    %49 = linalg.index 0 : index
    %extracted = tensor.extract %8[%49, %48] : tensor<5x2xf32>
    linalg.yield %extracted : f32
  } -> tensor<5xf32>
  %expanded_6 = tensor.expand_shape %26 [[0, 1]] output_shape [5, 1] : tensor<5xf32> into tensor<5x1xf32>
  %27 = tensor.empty() : tensor<5x8xf32>
  %28 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_6, %collapsed : tensor<5x1xf32>, tensor<5x8xf32>) outs(%27 : tensor<5x8xf32>) {
  ^bb0(%in: f32, %in_10: f32, %out: f32):
    %43 = arith.mulf %in, %in_10 : f32
    linalg.yield %43 : f32
  } -> tensor<5x8xf32>
  %29 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%cst_0, %28 : tensor<5x8xf32>, tensor<5x8xf32>) outs(%27 : tensor<5x8xf32>) {
  ^bb0(%in: f32, %in_10: f32, %out: f32):
    %43 = arith.addf %in, %in_10 : f32
    linalg.yield %43 : f32
  } -> tensor<5x8xf32>
  %30 = linalg.generic {indexing_maps = [affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%cst : tensor<i64>) outs(%9 : tensor<5xi64>) {
  ^bb0(%in: i64, %out: i64):
    %43 = arith.index_cast %in : i64 to index
    %44 = arith.cmpi slt, %43, %c0 : index
    %45 = arith.addi %43, %c2 : index
    %46 = arith.select %44, %45, %43 : index
    %47 = arith.maxsi %46, %c0 : index
    %48 = arith.minsi %47, %c1 : index
    %49 = linalg.index 0 : index
    %extracted = tensor.extract %indices[%49, %48] : tensor<5x2xi64>
    linalg.yield %extracted : i64
  } -> tensor<5xi64>
  %expanded_7 = tensor.expand_shape %30 [[0, 1]] output_shape [5, 1] : tensor<5xi64> into tensor<5x1xi64>
  %31 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%11 : tensor<5x8x12xf32>) {
  ^bb0(%out: f32):
    %43 = linalg.index 0 : index
    %44 = linalg.index 1 : index
    %45 = linalg.index 2 : index
    %extracted = tensor.extract %expanded_7[%43, %c0] : tensor<5x1xi64>
    %46 = arith.index_cast %extracted : i64 to index
    %47 = arith.cmpi slt, %46, %c0 : index
    %48 = arith.addi %46, %c4 : index
    %49 = arith.select %47, %48, %46 : index
    %50 = arith.maxsi %49, %c0 : index
    %51 = arith.minsi %50, %c3 : index
    %extracted_10 = tensor.extract %arg2[%51, %44, %45] : tensor<4x8x12xf32>
    linalg.yield %extracted_10 : f32
  } -> tensor<5x8x12xf32>
  %32 = linalg.batch_matmul ins(%expanded_4, %31 : tensor<5x1x8xf32>, tensor<5x8x12xf32>) outs(%14 : tensor<5x1x12xf32>) -> tensor<5x1x12xf32>
  %33 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%11 : tensor<5x8x12xf32>) {
  ^bb0(%out: f32):
    %43 = linalg.index 0 : index
    %44 = linalg.index 1 : index
    %45 = linalg.index 2 : index
    %extracted = tensor.extract %expanded_7[%43, %c0] : tensor<5x1xi64>
    %46 = arith.index_cast %extracted : i64 to index
    %47 = arith.cmpi slt, %46, %c0 : index
    %48 = arith.addi %46, %c4 : index
    %49 = arith.select %47, %48, %46 : index
    %50 = arith.maxsi %49, %c0 : index
    %51 = arith.minsi %50, %c3 : index
    %extracted_10 = tensor.extract %arg3[%51, %44, %45] : tensor<4x8x12xf32>
    linalg.yield %extracted_10 : f32
  } -> tensor<5x8x12xf32>
  %34 = linalg.batch_matmul ins(%expanded_4, %33 : tensor<5x1x8xf32>, tensor<5x8x12xf32>) outs(%14 : tensor<5x1x12xf32>) -> tensor<5x1x12xf32>
  %35 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%32 : tensor<5x1x12xf32>) outs(%13 : tensor<5x1x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %43 = arith.negf %in : f32
    %44 = math.exp %43 : f32
    %45 = arith.addf %44, %cst_1 : f32
    %46 = arith.divf %cst_1, %45 : f32
    linalg.yield %46 : f32
  } -> tensor<5x1x12xf32>
  %36 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%32, %35 : tensor<5x1x12xf32>, tensor<5x1x12xf32>) outs(%13 : tensor<5x1x12xf32>) {
  ^bb0(%in: f32, %in_10: f32, %out: f32):
    %43 = arith.mulf %in, %in_10 : f32
    linalg.yield %43 : f32
  } -> tensor<5x1x12xf32>
  %37 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%36, %34 : tensor<5x1x12xf32>, tensor<5x1x12xf32>) outs(%13 : tensor<5x1x12xf32>) {
  ^bb0(%in: f32, %in_10: f32, %out: f32):
    %43 = arith.mulf %in, %in_10 : f32
    linalg.yield %43 : f32
  } -> tensor<5x1x12xf32>
  %38 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%21 : tensor<5x12x8xf32>) {
  ^bb0(%out: f32):
    %43 = linalg.index 0 : index
    %44 = linalg.index 1 : index
    %45 = linalg.index 2 : index
    %extracted = tensor.extract %expanded_7[%43, %c0] : tensor<5x1xi64>
    %46 = arith.index_cast %extracted : i64 to index
    %47 = arith.cmpi slt, %46, %c0 : index
    %48 = arith.addi %46, %c4 : index
    %49 = arith.select %47, %48, %46 : index
    %50 = arith.maxsi %49, %c0 : index
    %51 = arith.minsi %50, %c3 : index
    %extracted_10 = tensor.extract %arg4[%51, %44, %45] : tensor<4x12x8xf32>
    linalg.yield %extracted_10 : f32
  } -> tensor<5x12x8xf32>
  %39 = linalg.batch_matmul ins(%37, %38 : tensor<5x1x12xf32>, tensor<5x12x8xf32>) outs(%24 : tensor<5x1x8xf32>) -> tensor<5x1x8xf32>
  %collapsed_8 = tensor.collapse_shape %39 [[0], [1, 2]] : tensor<5x1x8xf32> into tensor<5x8xf32>
  %40 = linalg.generic {indexing_maps = [affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%cst : tensor<i64>) outs(%5 : tensor<5xf32>) {
  ^bb0(%in: i64, %out: f32):
    %43 = arith.index_cast %in : i64 to index
    %44 = arith.cmpi slt, %43, %c0 : index
    %45 = arith.addi %43, %c2 : index
    %46 = arith.select %44, %45, %43 : index
    %47 = arith.maxsi %46, %c0 : index
    %48 = arith.minsi %47, %c1 : index
    %49 = linalg.index 0 : index
    %extracted = tensor.extract %8[%49, %48] : tensor<5x2xf32>
    linalg.yield %extracted : f32
  } -> tensor<5xf32>
  %expanded_9 = tensor.expand_shape %40 [[0, 1]] output_shape [5, 1] : tensor<5xf32> into tensor<5x1xf32>
  %41 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_9, %collapsed_8 : tensor<5x1xf32>, tensor<5x8xf32>) outs(%27 : tensor<5x8xf32>) {
  ^bb0(%in: f32, %in_10: f32, %out: f32):
    %43 = arith.mulf %in, %in_10 : f32
    linalg.yield %43 : f32
  } -> tensor<5x8xf32>
  %42 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%29, %41 : tensor<5x8xf32>, tensor<5x8xf32>) outs(%27 : tensor<5x8xf32>) {
  ^bb0(%in: f32, %in_10: f32, %out: f32):
    %43 = arith.addf %in, %in_10 : f32
    linalg.yield %43 : f32
  } -> tensor<5x8xf32>
  return %42 : tensor<5x8xf32>
}

// -----

// Both terms use the experts chosen for slot 0: not an MoE layer.
// CHECK-LABEL: func.func @negative_same_slot
// CHECK-NOT: loom.moe.ffn
// CHECK: loom.topk
func.func @negative_same_slot(%arg0: tensor<5x8xf32>, %arg1: tensor<4x8xf32>, %arg2: tensor<4x8x12xf32>, %arg3: tensor<4x8x12xf32>, %arg4: tensor<4x12x8xf32>) -> (tensor<5x8xf32>) {
  %cst = arith.constant dense<1> : tensor<i64>
  %cst_0 = arith.constant dense<0.000000e+00> : tensor<5x8xf32>
  %cst_1 = arith.constant 1.000000e+00 : f32
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %cst_2 = arith.constant dense<0> : tensor<i64>
  %cst_3 = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<8x4xf32>
  %transposed = linalg.transpose ins(%arg1 : tensor<4x8xf32>) outs(%0 : tensor<8x4xf32>) permutation = [1, 0] 
  %1 = tensor.empty() : tensor<5x4xf32>
  %2 = linalg.fill ins(%cst_3 : f32) outs(%1 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %3 = linalg.matmul ins(%arg0, %transposed : tensor<5x8xf32>, tensor<8x4xf32>) outs(%2 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %4 = linalg.softmax dimension(1) ins(%3 : tensor<5x4xf32>) outs(%1 : tensor<5x4xf32>) -> tensor<5x4xf32>
  %values, %indices = loom.topk %4 {axis = 1 : i64, k = 2 : i64} : tensor<5x4xf32> -> (tensor<5x2xf32>, tensor<5x2xi64>)
  %5 = tensor.empty() : tensor<5xf32>
  %6 = linalg.fill ins(%cst_3 : f32) outs(%5 : tensor<5xf32>) -> tensor<5xf32>
  %reduced = linalg.reduce ins(%values : tensor<5x2xf32>) outs(%6 : tensor<5xf32>) dimensions = [1] 
    (%in: f32, %init: f32) {
      %33 = arith.addf %in, %init : f32
      linalg.yield %33 : f32
    }
  %expanded = tensor.expand_shape %reduced [[0, 1]] output_shape [5, 1] : tensor<5xf32> into tensor<5x1xf32>
  %7 = tensor.empty() : tensor<5x2xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%values, %expanded : tensor<5x2xf32>, tensor<5x1xf32>) outs(%7 : tensor<5x2xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %33 = arith.divf %in, %in_8 : f32
    linalg.yield %33 : f32
  } -> tensor<5x2xf32>
  %expanded_4 = tensor.expand_shape %arg0 [[0], [1, 2]] output_shape [5, 1, 8] : tensor<5x8xf32> into tensor<5x1x8xf32>
  %9 = tensor.empty() : tensor<5xi64>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%cst_2 : tensor<i64>) outs(%9 : tensor<5xi64>) {
  ^bb0(%in: i64, %out: i64):
    %33 = arith.index_cast %in : i64 to index
    %34 = arith.cmpi slt, %33, %c0 : index
    %35 = arith.addi %33, %c2 : index
    %36 = arith.select %34, %35, %33 : index
    %37 = arith.maxsi %36, %c0 : index
    %38 = arith.minsi %37, %c1 : index
    %39 = linalg.index 0 : index
    %extracted = tensor.extract %indices[%39, %38] : tensor<5x2xi64>
    linalg.yield %extracted : i64
  } -> tensor<5xi64>
  %expanded_5 = tensor.expand_shape %10 [[0, 1]] output_shape [5, 1] : tensor<5xi64> into tensor<5x1xi64>
  %11 = tensor.empty() : tensor<5x8x12xf32>
  %12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%11 : tensor<5x8x12xf32>) {
  ^bb0(%out: f32):
    %33 = linalg.index 0 : index
    %34 = linalg.index 1 : index
    %35 = linalg.index 2 : index
    %extracted = tensor.extract %expanded_5[%33, %c0] : tensor<5x1xi64>
    %36 = arith.index_cast %extracted : i64 to index
    %37 = arith.cmpi slt, %36, %c0 : index
    %38 = arith.addi %36, %c4 : index
    %39 = arith.select %37, %38, %36 : index
    %40 = arith.maxsi %39, %c0 : index
    %41 = arith.minsi %40, %c3 : index
    %extracted_8 = tensor.extract %arg2[%41, %34, %35] : tensor<4x8x12xf32>
    linalg.yield %extracted_8 : f32
  } -> tensor<5x8x12xf32>
  %13 = tensor.empty() : tensor<5x1x12xf32>
  %14 = linalg.fill ins(%cst_3 : f32) outs(%13 : tensor<5x1x12xf32>) -> tensor<5x1x12xf32>
  %15 = linalg.batch_matmul ins(%expanded_4, %12 : tensor<5x1x8xf32>, tensor<5x8x12xf32>) outs(%14 : tensor<5x1x12xf32>) -> tensor<5x1x12xf32>
  %16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%11 : tensor<5x8x12xf32>) {
  ^bb0(%out: f32):
    %33 = linalg.index 0 : index
    %34 = linalg.index 1 : index
    %35 = linalg.index 2 : index
    %extracted = tensor.extract %expanded_5[%33, %c0] : tensor<5x1xi64>
    %36 = arith.index_cast %extracted : i64 to index
    %37 = arith.cmpi slt, %36, %c0 : index
    %38 = arith.addi %36, %c4 : index
    %39 = arith.select %37, %38, %36 : index
    %40 = arith.maxsi %39, %c0 : index
    %41 = arith.minsi %40, %c3 : index
    %extracted_8 = tensor.extract %arg3[%41, %34, %35] : tensor<4x8x12xf32>
    linalg.yield %extracted_8 : f32
  } -> tensor<5x8x12xf32>
  %17 = linalg.batch_matmul ins(%expanded_4, %16 : tensor<5x1x8xf32>, tensor<5x8x12xf32>) outs(%14 : tensor<5x1x12xf32>) -> tensor<5x1x12xf32>
  %18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%15 : tensor<5x1x12xf32>) outs(%13 : tensor<5x1x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %33 = arith.negf %in : f32
    %34 = math.exp %33 : f32
    %35 = arith.addf %34, %cst_1 : f32
    %36 = arith.divf %cst_1, %35 : f32
    linalg.yield %36 : f32
  } -> tensor<5x1x12xf32>
  %19 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%15, %18 : tensor<5x1x12xf32>, tensor<5x1x12xf32>) outs(%13 : tensor<5x1x12xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %33 = arith.mulf %in, %in_8 : f32
    linalg.yield %33 : f32
  } -> tensor<5x1x12xf32>
  %20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%19, %17 : tensor<5x1x12xf32>, tensor<5x1x12xf32>) outs(%13 : tensor<5x1x12xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %33 = arith.mulf %in, %in_8 : f32
    linalg.yield %33 : f32
  } -> tensor<5x1x12xf32>
  %21 = tensor.empty() : tensor<5x12x8xf32>
  %22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%21 : tensor<5x12x8xf32>) {
  ^bb0(%out: f32):
    %33 = linalg.index 0 : index
    %34 = linalg.index 1 : index
    %35 = linalg.index 2 : index
    %extracted = tensor.extract %expanded_5[%33, %c0] : tensor<5x1xi64>
    %36 = arith.index_cast %extracted : i64 to index
    %37 = arith.cmpi slt, %36, %c0 : index
    %38 = arith.addi %36, %c4 : index
    %39 = arith.select %37, %38, %36 : index
    %40 = arith.maxsi %39, %c0 : index
    %41 = arith.minsi %40, %c3 : index
    %extracted_8 = tensor.extract %arg4[%41, %34, %35] : tensor<4x12x8xf32>
    linalg.yield %extracted_8 : f32
  } -> tensor<5x12x8xf32>
  %23 = tensor.empty() : tensor<5x1x8xf32>
  %24 = linalg.fill ins(%cst_3 : f32) outs(%23 : tensor<5x1x8xf32>) -> tensor<5x1x8xf32>
  %25 = linalg.batch_matmul ins(%20, %22 : tensor<5x1x12xf32>, tensor<5x12x8xf32>) outs(%24 : tensor<5x1x8xf32>) -> tensor<5x1x8xf32>
  %collapsed = tensor.collapse_shape %25 [[0], [1, 2]] : tensor<5x1x8xf32> into tensor<5x8xf32>
  %26 = linalg.generic {indexing_maps = [affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%cst_2 : tensor<i64>) outs(%5 : tensor<5xf32>) {
  ^bb0(%in: i64, %out: f32):
    %33 = arith.index_cast %in : i64 to index
    %34 = arith.cmpi slt, %33, %c0 : index
    %35 = arith.addi %33, %c2 : index
    %36 = arith.select %34, %35, %33 : index
    %37 = arith.maxsi %36, %c0 : index
    %38 = arith.minsi %37, %c1 : index
    %39 = linalg.index 0 : index
    %extracted = tensor.extract %8[%39, %38] : tensor<5x2xf32>
    linalg.yield %extracted : f32
  } -> tensor<5xf32>
  %expanded_6 = tensor.expand_shape %26 [[0, 1]] output_shape [5, 1] : tensor<5xf32> into tensor<5x1xf32>
  %27 = tensor.empty() : tensor<5x8xf32>
  %28 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_6, %collapsed : tensor<5x1xf32>, tensor<5x8xf32>) outs(%27 : tensor<5x8xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %33 = arith.mulf %in, %in_8 : f32
    linalg.yield %33 : f32
  } -> tensor<5x8xf32>
  %29 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%cst_0, %28 : tensor<5x8xf32>, tensor<5x8xf32>) outs(%27 : tensor<5x8xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %33 = arith.addf %in, %in_8 : f32
    linalg.yield %33 : f32
  } -> tensor<5x8xf32>
  %30 = linalg.generic {indexing_maps = [affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%cst : tensor<i64>) outs(%5 : tensor<5xf32>) {
  ^bb0(%in: i64, %out: f32):
    %33 = arith.index_cast %in : i64 to index
    %34 = arith.cmpi slt, %33, %c0 : index
    %35 = arith.addi %33, %c2 : index
    %36 = arith.select %34, %35, %33 : index
    %37 = arith.maxsi %36, %c0 : index
    %38 = arith.minsi %37, %c1 : index
    %39 = linalg.index 0 : index
    %extracted = tensor.extract %8[%39, %38] : tensor<5x2xf32>
    linalg.yield %extracted : f32
  } -> tensor<5xf32>
  %expanded_7 = tensor.expand_shape %30 [[0, 1]] output_shape [5, 1] : tensor<5xf32> into tensor<5x1xf32>
  %31 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_7, %collapsed : tensor<5x1xf32>, tensor<5x8xf32>) outs(%27 : tensor<5x8xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %33 = arith.mulf %in, %in_8 : f32
    linalg.yield %33 : f32
  } -> tensor<5x8xf32>
  %32 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%29, %31 : tensor<5x8xf32>, tensor<5x8xf32>) outs(%27 : tensor<5x8xf32>) {
  ^bb0(%in: f32, %in_8: f32, %out: f32):
    %33 = arith.addf %in, %in_8 : f32
    linalg.yield %33 : f32
  } -> tensor<5x8xf32>
  return %32 : tensor<5x8xf32>
}
