// RUN: loom-opt %s --loom-raise-rms-norm | FileCheck %s
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-opt %s --loom-raise-rms-norm -o %t/raised.mlir
// RUN: loom-run %s --entry rsqrt --random-seed 3 --output-dir %t/a
// RUN: loom-run %t/raised.mlir --entry rsqrt --random-seed 3 --compare %t/a/result0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s --check-prefix=OK
// OK: result0: {{.*}}: ok

// Structure of loom-raise-rms-norm on the IR loom-import-onnx (then canonicalize and
// cse) makes of exporter RMS norms (from test/Integration/Raising/Inputs/
// layer_cases.py; test/Integration/Raising/rms-norm.test checks every case by
// execution). @rsqrt, a spelling ONNX cannot express (math.rsqrt), is also run here
// before and after the pass (rtol 1e-5, atol 1e-6).

// LlamaRMSNorm: pow 2, sum / 16 with the unit dimension kept, + eps, sqrt, 1 / .,
// x * ., weight * (.).
// CHECK-LABEL: func.func @llama
// CHECK-SAME: (%[[X:.*]]: tensor<1x6x16xf32>)
// CHECK: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<16xf32>
// CHECK: %[[N:.*]] = loom.rms_norm %[[X]], %[[W]] {epsilon = 9.99999997E-7 : f32} : (tensor<1x6x16xf32>, tensor<16xf32>) -> tensor<1x6x16xf32>
// CHECK-NOT: math.sqrt
// CHECK: return %[[N]]
func.func @llama(%arg0: tensor<1x6x16xf32>) -> (tensor<1x6x16xf32>) {
  %cst = arith.constant dense<[0.125730217, -0.132104859, 0.640422642, 0.104900114, -0.535669386, 0.361595064, 1.304000e+00, 0.947080969, -0.703735232, -1.26542151, -0.623274446, 0.0413259789, -2.3250308, -0.218791664, -1.245911, -0.73226738]> : tensor<16xf32>
  %cst_0 = arith.constant 1.000000e+00 : f32
  %cst_1 = arith.constant dense<9.99999997E-7> : tensor<f32>
  %cst_2 = arith.constant 1.600000e+01 : f32
  %cst_3 = arith.constant 0.000000e+00 : f32
  %cst_4 = arith.constant dense<2.000000e+00> : tensor<f32>
  %0 = tensor.empty() : tensor<1x6x16xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %cst_4 : tensor<1x6x16xf32>, tensor<f32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = math.powf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  %2 = tensor.empty() : tensor<1x6xf32>
  %3 = linalg.fill ins(%cst_3 : f32) outs(%2 : tensor<1x6xf32>) -> tensor<1x6xf32>
  %reduced = linalg.reduce ins(%1 : tensor<1x6x16xf32>) outs(%3 : tensor<1x6xf32>) dimensions = [2] 
    (%in: f32, %init: f32) {
      %11 = arith.addf %in, %init : f32
      linalg.yield %11 : f32
    }
  %expanded = tensor.expand_shape %reduced [[0], [1, 2]] output_shape [1, 6, 1] : tensor<1x6xf32> into tensor<1x6x1xf32>
  %4 = tensor.empty() : tensor<1x6x1xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<1x6x1xf32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = arith.divf %in, %cst_2 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%5, %cst_1 : tensor<1x6x1xf32>, tensor<f32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.addf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6 : tensor<1x6x1xf32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = math.sqrt %in : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%7 : tensor<1x6x1xf32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = arith.divf %cst_0, %in : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %8 : tensor<1x6x16xf32>, tensor<1x6x1xf32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.mulf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst, %9 : tensor<16xf32>, tensor<1x6x16xf32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.mulf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  return %10 : tensor<1x6x16xf32>
}

// x * rsqrt(mean + eps).
// CHECK-LABEL: func.func @rsqrt
// CHECK: loom.rms_norm %arg0, %{{.*}} {epsilon = 9.99999997E-7 : f32}
// CHECK-NOT: math.rsqrt
func.func @rsqrt(%arg0: tensor<1x6x16xf32>) -> (tensor<1x6x16xf32>) {
  %cst = arith.constant dense<[0.125730217, -0.132104859, 0.640422642, 0.104900114, -0.535669386, 0.361595064, 1.304000e+00, 0.947080969, -0.703735232, -1.26542151, -0.623274446, 0.0413259789, -2.3250308, -0.218791664, -1.245911, -0.73226738]> : tensor<16xf32>
  %cst_0 = arith.constant 1.000000e+00 : f32
  %cst_1 = arith.constant dense<9.99999997E-7> : tensor<f32>
  %cst_2 = arith.constant 1.600000e+01 : f32
  %cst_3 = arith.constant 0.000000e+00 : f32
  %cst_4 = arith.constant dense<2.000000e+00> : tensor<f32>
  %0 = tensor.empty() : tensor<1x6x16xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %cst_4 : tensor<1x6x16xf32>, tensor<f32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = math.powf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  %2 = tensor.empty() : tensor<1x6xf32>
  %3 = linalg.fill ins(%cst_3 : f32) outs(%2 : tensor<1x6xf32>) -> tensor<1x6xf32>
  %reduced = linalg.reduce ins(%1 : tensor<1x6x16xf32>) outs(%3 : tensor<1x6xf32>) dimensions = [2] 
    (%in: f32, %init: f32) {
      %11 = arith.addf %in, %init : f32
      linalg.yield %11 : f32
    }
  %expanded = tensor.expand_shape %reduced [[0], [1, 2]] output_shape [1, 6, 1] : tensor<1x6xf32> into tensor<1x6x1xf32>
  %4 = tensor.empty() : tensor<1x6x1xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<1x6x1xf32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = arith.divf %in, %cst_2 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%5, %cst_1 : tensor<1x6x1xf32>, tensor<f32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.addf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6 : tensor<1x6x1xf32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = math.rsqrt %in : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %7 : tensor<1x6x16xf32>, tensor<1x6x1xf32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.mulf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst, %9 : tensor<16xf32>, tensor<1x6x16xf32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.mulf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  return %10 : tensor<1x6x16xf32>
}

// The mean without keepdims, unsqueezed after the division.
// CHECK-LABEL: func.func @no_keepdims
// CHECK: loom.rms_norm %arg0, %{{.*}} {epsilon = 9.99999997E-7 : f32}
// CHECK-NOT: math.sqrt
func.func @no_keepdims(%arg0: tensor<1x6x16xf32>) -> (tensor<1x6x16xf32>) {
  %cst = arith.constant dense<[0.125730217, -0.132104859, 0.640422642, 0.104900114, -0.535669386, 0.361595064, 1.304000e+00, 0.947080969, -0.703735232, -1.26542151, -0.623274446, 0.0413259789, -2.3250308, -0.218791664, -1.245911, -0.73226738]> : tensor<16xf32>
  %cst_0 = arith.constant 1.000000e+00 : f32
  %cst_1 = arith.constant dense<9.99999997E-7> : tensor<f32>
  %cst_2 = arith.constant 1.600000e+01 : f32
  %cst_3 = arith.constant 0.000000e+00 : f32
  %cst_4 = arith.constant dense<2.000000e+00> : tensor<f32>
  %0 = tensor.empty() : tensor<1x6x16xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %cst_4 : tensor<1x6x16xf32>, tensor<f32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = math.powf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  %2 = tensor.empty() : tensor<1x6xf32>
  %3 = linalg.fill ins(%cst_3 : f32) outs(%2 : tensor<1x6xf32>) -> tensor<1x6xf32>
  %reduced = linalg.reduce ins(%1 : tensor<1x6x16xf32>) outs(%3 : tensor<1x6xf32>) dimensions = [2] 
    (%in: f32, %init: f32) {
      %11 = arith.addf %in, %init : f32
      linalg.yield %11 : f32
    }
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%reduced : tensor<1x6xf32>) outs(%2 : tensor<1x6xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = arith.divf %in, %cst_2 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6xf32>
  %expanded = tensor.expand_shape %4 [[0], [1, 2]] output_shape [1, 6, 1] : tensor<1x6xf32> into tensor<1x6x1xf32>
  %5 = tensor.empty() : tensor<1x6x1xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded, %cst_1 : tensor<1x6x1xf32>, tensor<f32>) outs(%5 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.addf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6 : tensor<1x6x1xf32>) outs(%5 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = math.sqrt %in : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%7 : tensor<1x6x1xf32>) outs(%5 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = arith.divf %cst_0, %in : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %8 : tensor<1x6x16xf32>, tensor<1x6x1xf32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.mulf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst, %9 : tensor<16xf32>, tensor<1x6x16xf32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.mulf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  return %10 : tensor<1x6x16xf32>
}

// negative_wrong_axis: the mean over axis 1.
// CHECK-LABEL: func.func @negative_wrong_axis
// CHECK-NOT: loom.rms_norm
// CHECK: math.sqrt
func.func @negative_wrong_axis(%arg0: tensor<1x6x16xf32>) -> (tensor<1x6x16xf32>) {
  %cst = arith.constant dense<[0.125730217, -0.132104859, 0.640422642, 0.104900114, -0.535669386, 0.361595064, 1.304000e+00, 0.947080969, -0.703735232, -1.26542151, -0.623274446, 0.0413259789, -2.3250308, -0.218791664, -1.245911, -0.73226738]> : tensor<16xf32>
  %cst_0 = arith.constant 1.000000e+00 : f32
  %cst_1 = arith.constant dense<9.99999997E-7> : tensor<f32>
  %cst_2 = arith.constant 6.000000e+00 : f32
  %cst_3 = arith.constant 0.000000e+00 : f32
  %cst_4 = arith.constant dense<2.000000e+00> : tensor<f32>
  %0 = tensor.empty() : tensor<1x6x16xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %cst_4 : tensor<1x6x16xf32>, tensor<f32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = math.powf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  %2 = tensor.empty() : tensor<1x16xf32>
  %3 = linalg.fill ins(%cst_3 : f32) outs(%2 : tensor<1x16xf32>) -> tensor<1x16xf32>
  %reduced = linalg.reduce ins(%1 : tensor<1x6x16xf32>) outs(%3 : tensor<1x16xf32>) dimensions = [1] 
    (%in: f32, %init: f32) {
      %11 = arith.addf %in, %init : f32
      linalg.yield %11 : f32
    }
  %expanded = tensor.expand_shape %reduced [[0], [1, 2]] output_shape [1, 1, 16] : tensor<1x16xf32> into tensor<1x1x16xf32>
  %4 = tensor.empty() : tensor<1x1x16xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<1x1x16xf32>) outs(%4 : tensor<1x1x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = arith.divf %in, %cst_2 : f32
    linalg.yield %11 : f32
  } -> tensor<1x1x16xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%5, %cst_1 : tensor<1x1x16xf32>, tensor<f32>) outs(%4 : tensor<1x1x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.addf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x1x16xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6 : tensor<1x1x16xf32>) outs(%4 : tensor<1x1x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = math.sqrt %in : f32
    linalg.yield %11 : f32
  } -> tensor<1x1x16xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%7 : tensor<1x1x16xf32>) outs(%4 : tensor<1x1x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = arith.divf %cst_0, %in : f32
    linalg.yield %11 : f32
  } -> tensor<1x1x16xf32>
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, 0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %8 : tensor<1x6x16xf32>, tensor<1x1x16xf32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.mulf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst, %9 : tensor<16xf32>, tensor<1x6x16xf32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.mulf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  return %10 : tensor<1x6x16xf32>
}

// negative_sum_init: the sum of squares starts at 1.
// CHECK-LABEL: func.func @negative_sum_init
// CHECK-NOT: loom.rms_norm
// CHECK: math.sqrt
func.func @negative_sum_init(%arg0: tensor<1x6x16xf32>) -> (tensor<1x6x16xf32>) {
  %cst = arith.constant dense<[0.125730217, -0.132104859, 0.640422642, 0.104900114, -0.535669386, 0.361595064, 1.304000e+00, 0.947080969, -0.703735232, -1.26542151, -0.623274446, 0.0413259789, -2.3250308, -0.218791664, -1.245911, -0.73226738]> : tensor<16xf32>
  %cst_0 = arith.constant 1.000000e+00 : f32
  %cst_1 = arith.constant dense<9.99999997E-7> : tensor<f32>
  %cst_2 = arith.constant 1.600000e+01 : f32
  %cst_3 = arith.constant 0.000000e+00 : f32
  %cst_4 = arith.constant dense<2.000000e+00> : tensor<f32>
  %0 = tensor.empty() : tensor<1x6x16xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %cst_4 : tensor<1x6x16xf32>, tensor<f32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = math.powf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  %2 = tensor.empty() : tensor<1x6xf32>
  %3 = linalg.fill ins(%cst_0 : f32) outs(%2 : tensor<1x6xf32>) -> tensor<1x6xf32>
  %reduced = linalg.reduce ins(%1 : tensor<1x6x16xf32>) outs(%3 : tensor<1x6xf32>) dimensions = [2] 
    (%in: f32, %init: f32) {
      %11 = arith.addf %in, %init : f32
      linalg.yield %11 : f32
    }
  %expanded = tensor.expand_shape %reduced [[0], [1, 2]] output_shape [1, 6, 1] : tensor<1x6xf32> into tensor<1x6x1xf32>
  %4 = tensor.empty() : tensor<1x6x1xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<1x6x1xf32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = arith.divf %in, %cst_2 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%5, %cst_1 : tensor<1x6x1xf32>, tensor<f32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.addf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6 : tensor<1x6x1xf32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = math.sqrt %in : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%7 : tensor<1x6x1xf32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = arith.divf %cst_0, %in : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %8 : tensor<1x6x16xf32>, tensor<1x6x1xf32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.mulf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst, %9 : tensor<16xf32>, tensor<1x6x16xf32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.mulf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  return %10 : tensor<1x6x16xf32>
}

// negative_other_rows: x normalised by the RMS of another tensor.
// CHECK-LABEL: func.func @negative_other_rows
// CHECK-NOT: loom.rms_norm
// CHECK: math.sqrt
func.func @negative_other_rows(%arg0: tensor<1x6x16xf32>, %arg1: tensor<1x6x16xf32>) -> (tensor<1x6x16xf32>) {
  %cst = arith.constant dense<[0.125730217, -0.132104859, 0.640422642, 0.104900114, -0.535669386, 0.361595064, 1.304000e+00, 0.947080969, -0.703735232, -1.26542151, -0.623274446, 0.0413259789, -2.3250308, -0.218791664, -1.245911, -0.73226738]> : tensor<16xf32>
  %cst_0 = arith.constant 1.000000e+00 : f32
  %cst_1 = arith.constant dense<9.99999997E-7> : tensor<f32>
  %cst_2 = arith.constant 1.600000e+01 : f32
  %cst_3 = arith.constant 0.000000e+00 : f32
  %cst_4 = arith.constant dense<2.000000e+00> : tensor<f32>
  %0 = tensor.empty() : tensor<1x6x16xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg1, %cst_4 : tensor<1x6x16xf32>, tensor<f32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = math.powf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  %2 = tensor.empty() : tensor<1x6xf32>
  %3 = linalg.fill ins(%cst_3 : f32) outs(%2 : tensor<1x6xf32>) -> tensor<1x6xf32>
  %reduced = linalg.reduce ins(%1 : tensor<1x6x16xf32>) outs(%3 : tensor<1x6xf32>) dimensions = [2] 
    (%in: f32, %init: f32) {
      %11 = arith.addf %in, %init : f32
      linalg.yield %11 : f32
    }
  %expanded = tensor.expand_shape %reduced [[0], [1, 2]] output_shape [1, 6, 1] : tensor<1x6xf32> into tensor<1x6x1xf32>
  %4 = tensor.empty() : tensor<1x6x1xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<1x6x1xf32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = arith.divf %in, %cst_2 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%5, %cst_1 : tensor<1x6x1xf32>, tensor<f32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.addf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6 : tensor<1x6x1xf32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = math.sqrt %in : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%7 : tensor<1x6x1xf32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = arith.divf %cst_0, %in : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %8 : tensor<1x6x16xf32>, tensor<1x6x1xf32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.mulf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst, %9 : tensor<16xf32>, tensor<1x6x16xf32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.mulf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  return %10 : tensor<1x6x16xf32>
}

// negative_not_one: 16 / sqrt(.) instead of 1 / sqrt(.).
// CHECK-LABEL: func.func @negative_not_one
// CHECK-NOT: loom.rms_norm
// CHECK: math.sqrt
func.func @negative_not_one(%arg0: tensor<1x6x16xf32>) -> (tensor<1x6x16xf32>) {
  %cst = arith.constant dense<[0.125730217, -0.132104859, 0.640422642, 0.104900114, -0.535669386, 0.361595064, 1.304000e+00, 0.947080969, -0.703735232, -1.26542151, -0.623274446, 0.0413259789, -2.3250308, -0.218791664, -1.245911, -0.73226738]> : tensor<16xf32>
  %cst_0 = arith.constant 1.000000e+00 : f32
  %cst_1 = arith.constant dense<9.99999997E-7> : tensor<f32>
  %cst_2 = arith.constant 1.600000e+01 : f32
  %cst_3 = arith.constant 0.000000e+00 : f32
  %cst_4 = arith.constant dense<2.000000e+00> : tensor<f32>
  %0 = tensor.empty() : tensor<1x6x16xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %cst_4 : tensor<1x6x16xf32>, tensor<f32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = math.powf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  %2 = tensor.empty() : tensor<1x6xf32>
  %3 = linalg.fill ins(%cst_3 : f32) outs(%2 : tensor<1x6xf32>) -> tensor<1x6xf32>
  %reduced = linalg.reduce ins(%1 : tensor<1x6x16xf32>) outs(%3 : tensor<1x6xf32>) dimensions = [2] 
    (%in: f32, %init: f32) {
      %11 = arith.addf %in, %init : f32
      linalg.yield %11 : f32
    }
  %expanded = tensor.expand_shape %reduced [[0], [1, 2]] output_shape [1, 6, 1] : tensor<1x6xf32> into tensor<1x6x1xf32>
  %4 = tensor.empty() : tensor<1x6x1xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<1x6x1xf32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = arith.divf %in, %cst_2 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%5, %cst_1 : tensor<1x6x1xf32>, tensor<f32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.addf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6 : tensor<1x6x1xf32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = math.sqrt %in : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%7 : tensor<1x6x1xf32>) outs(%4 : tensor<1x6x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %11 = arith.divf %cst_2, %in : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x1xf32>
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %8 : tensor<1x6x16xf32>, tensor<1x6x1xf32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.mulf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst, %9 : tensor<16xf32>, tensor<1x6x16xf32>) outs(%0 : tensor<1x6x16xf32>) {
  ^bb0(%in: f32, %in_5: f32, %out: f32):
    %11 = arith.mulf %in, %in_5 : f32
    linalg.yield %11 : f32
  } -> tensor<1x6x16xf32>
  return %10 : tensor<1x6x16xf32>
}
