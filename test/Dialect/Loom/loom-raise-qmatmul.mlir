// RUN: loom-opt %s --split-input-file --loom-raise-qmatmul | FileCheck %s

// Structure of loom-raise-qmatmul on the IR loom-import-onnx (then canonicalize and
// cse) makes of weight-only int8 MatMuls. test/Integration/Raising/qmatmul.test
// runs the ONNX forms (per axis, blocked, uint8, Cast/Mul) before and after raising.

// DequantizeLinear(q_i8, s[N], z[N], axis=1) as the importer emits it: one generic.
// The codes are transposed to [N,K] at compile time; the zero points stay.
// CHECK-LABEL: func.func @dequantize_linear
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[}}-125, -97, -69, -41, -13, 15, 43, 71], [-118, -90, -62, -34, -6, 22, 50, 78], [-111, -83, -55, -27, 1, 29, 57, 85], [-104, -76, -48, -20, 8, 36, 64, 92]]> : tensor<4x8xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[5.000000e-01, 2.500000e-01, 1.250000e-01, 2.000000e+00]> : tensor<4xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<[3, -2, 0, 7]> : tensor<4xi8>
// CHECK: %[[Y:.*]] = loom.qmatmul %[[X]], %[[W]], %[[S]], %[[Z]] : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<4xf32>, tensor<4xi8>) -> tensor<2x4xf32>
// CHECK-NOT: linalg.matmul
// CHECK: return %[[Y]]
func.func @dequantize_linear(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %q = arith.constant dense<[[-125, -118, -111, -104], [-97, -90, -83, -76], [-69, -62, -55, -48], [-41, -34, -27, -20], [-13, -6, 1, 8], [15, 22, 29, 36], [43, 50, 57, 64], [71, 78, 85, 92]]> : tensor<8x4xi8>
  %s = arith.constant dense<[[0.5, 0.25, 0.125, 2.0]]> : tensor<1x4xf32>
  %z = arith.constant dense<[[3, -2, 0, 7]]> : tensor<1x4xi8>
  %e = tensor.empty() : tensor<8x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s, %z : tensor<8x4xi8>, tensor<1x4xf32>, tensor<1x4xi8>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: i8, %b: f32, %c: i8, %out: f32):
    %0 = arith.sitofp %a : i8 to f32
    %1 = arith.sitofp %c : i8 to f32
    %2 = arith.subf %0, %1 : f32
    %3 = arith.mulf %2, %b : f32
    linalg.yield %3 : f32
  } -> tensor<8x4xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %ye = tensor.empty() : tensor<2x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%ye : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x8xf32>, tensor<8x4xf32>) outs(%fill : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Mul(s, Cast(q)) with a per-tensor scale the canonicalizer captured as a scalar:
// two generics, the scale first; the scale is broadcast to [N], no zero points.
// CHECK-LABEL: func.func @cast_mul_per_tensor
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK-DAG: %[[S:.*]] = arith.constant dense<3.750000e-01> : tensor<4xf32>
// CHECK: %[[Y:.*]] = loom.qmatmul %[[X]], %{{.*}}, %[[S]] : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK: return %[[Y]]
func.func @cast_mul_per_tensor(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %q = arith.constant dense<[[-125, -118, -111, -104], [-97, -90, -83, -76], [-69, -62, -55, -48], [-41, -34, -27, -20], [-13, -6, 1, 8], [15, 22, 29, 36], [43, 50, 57, 64], [71, 78, 85, 92]]> : tensor<8x4xi8>
  %cs = arith.constant 0.375 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %f = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q : tensor<8x4xi8>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: i8, %out: f32):
    %0 = arith.sitofp %a : i8 to f32
    linalg.yield %0 : f32
  } -> tensor<8x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%f : tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: f32, %out: f32):
    %0 = arith.mulf %cs, %a : f32
    linalg.yield %0 : f32
  } -> tensor<8x4xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %ye = tensor.empty() : tensor<2x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%ye : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x8xf32>, tensor<8x4xf32>) outs(%fill : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Blocked DequantizeLinear (axis 0, block_size 4) as the importer emits it: the
// [K/4, N] scale broadcast and collapsed to [K, N].
// CHECK-LABEL: func.func @blocked
// CHECK-DAG: %[[S:.*]] = arith.constant dense<{{\[\[}}5.000000e-01, 1.250000e-01], [2.500000e-01, 4.000000e+00], [1.000000e+00, 7.500000e-01], [2.000000e+00, 1.500000e+00]]> : tensor<4x2xf32>
// CHECK: loom.qmatmul %{{.*}}, %{{.*}}, %[[S]] {{[{]}}group_size = 4 : i64{{[}]}} : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<4x2xf32>) -> tensor<2x4xf32>
func.func @blocked(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %q = arith.constant dense<[[-125, -118, -111, -104], [-97, -90, -83, -76], [-69, -62, -55, -48], [-41, -34, -27, -20], [-13, -6, 1, 8], [15, 22, 29, 36], [43, 50, 57, 64], [71, 78, 85, 92]]> : tensor<8x4xi8>
  %s = arith.constant dense<[[0.5, 0.25, 1.0, 2.0], [0.125, 4.0, 0.75, 1.5]]> : tensor<2x4xf32>
  %be = tensor.empty() : tensor<2x4x4xf32>
  %b = linalg.broadcast ins(%s : tensor<2x4xf32>) outs(%be : tensor<2x4x4xf32>) dimensions = [1]
  %sk = tensor.collapse_shape %b [[0, 1], [2]] : tensor<2x4x4xf32> into tensor<8x4xf32>
  %e = tensor.empty() : tensor<8x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %sk : tensor<8x4xi8>, tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: i8, %b2: f32, %out: f32):
    %0 = arith.sitofp %a : i8 to f32
    %1 = arith.mulf %0, %b2 : f32
    linalg.yield %1 : f32
  } -> tensor<8x4xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %ye = tensor.empty() : tensor<2x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%ye : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x8xf32>, tensor<8x4xf32>) outs(%fill : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// uint8 codes (uitofp) minus a float zero point 131: stored as q - 128 with zero
// point 3.
// CHECK-LABEL: func.func @u8_zero_point
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[}}-128, 20, -88, 60, -48, 100, -8, -116], [-91, 57, -51, 97, -11, -119, 29, -79], [-54, 94, -14, -122, 26, -82, 66, -42], [-17, -125, 23, -85, 63, -45, 103, -5]]> : tensor<4x8xi8>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<3> : tensor<4xi8>
// CHECK: loom.qmatmul %{{.*}}, %[[W]], %{{.*}}, %[[Z]] :
func.func @u8_zero_point(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %q = arith.constant dense<[[0, 37, 74, 111], [-108, -71, -34, 3], [40, 77, 114, -105], [-68, -31, 6, 43], [80, 117, -102, -65], [-28, 9, 46, 83], [120, -99, -62, -25], [12, 49, 86, 123]]> : tensor<8x4xi8>
  %s = arith.constant dense<[0.5, 0.25, 0.125, 2.0]> : tensor<4xf32>
  %zp = arith.constant 131.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<8x4xi8>, tensor<4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: i8, %b: f32, %out: f32):
    %0 = arith.uitofp %a : i8 to f32
    %1 = arith.subf %0, %zp : f32
    %2 = arith.mulf %b, %1 : f32
    linalg.yield %2 : f32
  } -> tensor<8x4xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %ye = tensor.empty() : tensor<2x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%ye : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x8xf32>, tensor<8x4xf32>) outs(%fill : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// The codes are a function argument, not a constant: nothing to store as int8 at
// compile time.
// CHECK-LABEL: func.func @negative_weight_argument
// CHECK-NOT: loom.qmatmul
// CHECK: linalg.matmul
func.func @negative_weight_argument(%x: tensor<2x8xf32>, %q: tensor<8x4xi8>) -> tensor<2x4xf32> {
  %s = arith.constant dense<[0.5, 0.25, 0.125, 2.0]> : tensor<4xf32>
  %e = tensor.empty() : tensor<8x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<8x4xi8>, tensor<4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: i8, %b: f32, %out: f32):
    %0 = arith.sitofp %a : i8 to f32
    %1 = arith.mulf %0, %b : f32
    linalg.yield %1 : f32
  } -> tensor<8x4xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %ye = tensor.empty() : tensor<2x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%ye : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x8xf32>, tensor<8x4xf32>) outs(%fill : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// float(q) + s is not a dequantization.
// CHECK-LABEL: func.func @negative_not_dequantization
// CHECK-NOT: loom.qmatmul
// CHECK: linalg.matmul
func.func @negative_not_dequantization(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %q = arith.constant dense<[[-125, -118, -111, -104], [-97, -90, -83, -76], [-69, -62, -55, -48], [-41, -34, -27, -20], [-13, -6, 1, 8], [15, 22, 29, 36], [43, 50, 57, 64], [71, 78, 85, 92]]> : tensor<8x4xi8>
  %s = arith.constant dense<[0.5, 0.25, 0.125, 2.0]> : tensor<4xf32>
  %e = tensor.empty() : tensor<8x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<8x4xi8>, tensor<4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: i8, %b: f32, %out: f32):
    %0 = arith.sitofp %a : i8 to f32
    %1 = arith.addf %0, %b : f32
    linalg.yield %1 : f32
  } -> tensor<8x4xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %ye = tensor.empty() : tensor<2x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%ye : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x8xf32>, tensor<8x4xf32>) outs(%fill : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// A scale that changes at k = 1, 2, 3, 5 (gcd 1): no block structure.
// CHECK-LABEL: func.func @negative_scale_varies_along_k
// CHECK-NOT: loom.qmatmul
// CHECK: linalg.matmul
func.func @negative_scale_varies_along_k(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %q = arith.constant dense<[[-125, -118, -111, -104], [-97, -90, -83, -76], [-69, -62, -55, -48], [-41, -34, -27, -20], [-13, -6, 1, 8], [15, 22, 29, 36], [43, 50, 57, 64], [71, 78, 85, 92]]> : tensor<8x4xi8>
  %s = arith.constant dense<[[1.0], [2.0], [3.0], [4.0], [4.0], [5.0], [5.0], [5.0]]> : tensor<8x1xf32>
  %e = tensor.empty() : tensor<8x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<8x4xi8>, tensor<8x1xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: i8, %b: f32, %out: f32):
    %0 = arith.sitofp %a : i8 to f32
    %1 = arith.mulf %0, %b : f32
    linalg.yield %1 : f32
  } -> tensor<8x4xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %ye = tensor.empty() : tensor<2x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%ye : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x8xf32>, tensor<8x4xf32>) outs(%fill : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// uint8 codes with zero point 300: 300 - 128 does not fit an i8 zero point.
// CHECK-LABEL: func.func @negative_u8_zero_point_out_of_range
// CHECK-NOT: loom.qmatmul
// CHECK: linalg.matmul
func.func @negative_u8_zero_point_out_of_range(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %q = arith.constant dense<[[0, 37, 74, 111], [-108, -71, -34, 3], [40, 77, 114, -105], [-68, -31, 6, 43], [80, 117, -102, -65], [-28, 9, 46, 83], [120, -99, -62, -25], [12, 49, 86, 123]]> : tensor<8x4xi8>
  %s = arith.constant dense<[0.5, 0.25, 0.125, 2.0]> : tensor<4xf32>
  %zp = arith.constant 300.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<8x4xi8>, tensor<4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: i8, %b: f32, %out: f32):
    %0 = arith.uitofp %a : i8 to f32
    %1 = arith.subf %0, %zp : f32
    %2 = arith.mulf %b, %1 : f32
    linalg.yield %2 : f32
  } -> tensor<8x4xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %ye = tensor.empty() : tensor<2x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%ye : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x8xf32>, tensor<8x4xf32>) outs(%fill : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// A float zero point that is not an integer (q - 0.5 is not an int8 difference).
// CHECK-LABEL: func.func @negative_fractional_zero_point
// CHECK-NOT: loom.qmatmul
// CHECK: linalg.matmul
func.func @negative_fractional_zero_point(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %q = arith.constant dense<[[-125, -118, -111, -104], [-97, -90, -83, -76], [-69, -62, -55, -48], [-41, -34, -27, -20], [-13, -6, 1, 8], [15, 22, 29, 36], [43, 50, 57, 64], [71, 78, 85, 92]]> : tensor<8x4xi8>
  %s = arith.constant dense<[0.5, 0.25, 0.125, 2.0]> : tensor<4xf32>
  %zp = arith.constant 0.5 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<8x4xi8>, tensor<4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: i8, %b: f32, %out: f32):
    %0 = arith.sitofp %a : i8 to f32
    %1 = arith.subf %0, %zp : f32
    %2 = arith.mulf %1, %b : f32
    linalg.yield %2 : f32
  } -> tensor<8x4xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %ye = tensor.empty() : tensor<2x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%ye : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x8xf32>, tensor<8x4xf32>) outs(%fill : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Codes computed from a constant by a wrapping i8 addition (q + 100) in a generic
// of another shape: the evaluated codes wrap as the IR does.
// CHECK-LABEL: func.func @wrapping_codes
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[}}-25, 3, 31, 59, 87, 115, -113, -85], [-18, 10, 38, 66, 94, 122, -106, -78], [-11, 17, 45, 73, 101, -127, -99, -71], [-4, 24, 52, 80, 108, -120, -92, -64]]> : tensor<4x8xi8>
// CHECK: loom.qmatmul %{{.*}}, %[[W]], %{{.*}} :
func.func @wrapping_codes(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %c = arith.constant dense<[-125, -118, -111, -104, -97, -90, -83, -76, -69, -62, -55, -48, -41, -34, -27, -20, -13, -6, 1, 8, 15, 22, 29, 36, 43, 50, 57, 64, 71, 78, 85, 92]> : tensor<32xi8>
  %hundred = arith.constant 100 : i8
  %ce = tensor.empty() : tensor<32xi8>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%c : tensor<32xi8>) outs(%ce : tensor<32xi8>) {
  ^bb0(%a: i8, %out: i8):
    %0 = arith.addi %a, %hundred : i8
    linalg.yield %0 : i8
  } -> tensor<32xi8>
  %q = tensor.expand_shape %sum [[0, 1]] output_shape [8, 4] : tensor<32xi8> into tensor<8x4xi8>
  %s = arith.constant dense<[0.5, 0.25, 0.125, 2.0]> : tensor<4xf32>
  %e = tensor.empty() : tensor<8x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<8x4xi8>, tensor<4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: i8, %b: f32, %out: f32):
    %0 = arith.sitofp %a : i8 to f32
    %1 = arith.mulf %0, %b : f32
    linalg.yield %1 : f32
  } -> tensor<8x4xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %ye = tensor.empty() : tensor<2x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%ye : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x8xf32>, tensor<8x4xf32>) outs(%fill : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Codes and zero points that fit 4 bits (a UINT4 DequantizeLinear, which the
// importer unpacks to one code per i8, read through uitofp): packed bits = 4
// weight [N, K/2], two codes per byte low nibble first, codes and zero points
// shifted by 8 (q - z unchanged). Column 0 codes 0,3,9,12 -> -8,-5,1,4 ->
// bytes 0xB8, 0x41; column 1 codes 15,8,1,7 -> 7,0,-7,-1 -> bytes 0x07, 0xF9.
// CHECK-LABEL: func.func @uint4_packed
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf32>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[}}-72, 65], [7, -7]]> : tensor<2x2xi8>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<[0, -3]> : tensor<2xi8>
// CHECK: loom.qmatmul %[[X]], %[[W]], %{{.*}}, %[[Z]] {bits = 4 : i64} : (tensor<2x4xf32>, tensor<2x2xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x2xf32>
func.func @uint4_packed(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %q = arith.constant dense<[[0, 15], [3, 8], [9, 1], [12, 7]]> : tensor<4x2xi8>
  %s = arith.constant dense<[[0.5, 0.25]]> : tensor<1x2xf32>
  %z = arith.constant dense<[[8, 5]]> : tensor<1x2xi8>
  %e = tensor.empty() : tensor<4x2xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s, %z : tensor<4x2xi8>, tensor<1x2xf32>, tensor<1x2xi8>) outs(%e : tensor<4x2xf32>) {
  ^bb0(%a: i8, %b: f32, %c: i8, %out: f32):
    %0 = arith.uitofp %a : i8 to f32
    %1 = arith.uitofp %c : i8 to f32
    %2 = arith.subf %0, %1 : f32
    %3 = arith.mulf %2, %b : f32
    linalg.yield %3 : f32
  } -> tensor<4x2xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %ye = tensor.empty() : tensor<2x2xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%ye : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x2xf32>) outs(%fill : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
