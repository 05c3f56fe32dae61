// RUN: loom-opt %s --convert-hls-to-arith --cse | FileCheck %s
// RUN: rm -rf %t && mkdir -p %t
// RUN: env PATH=%loom_build/bin:%PATH% %python %S/Inputs/shift_exactness.py %s %t | FileCheck %s --check-prefix=EXEC
//
// Structure: a dynamic exponent becomes two products by powers of two built
// from the exponent bits; a constant one folds into one constant factor
// (two when outside [-126, 127]). Execution (Inputs/shift_exactness.py):
// @shift over every exponent in [-160, 160] and 200 random x per exponent,
// against NumPy's ldexp in f32: bit-exact except for subnormal results with
// e < -126 (double rounding, documented), which are counted.

// CHECK-LABEL: func @shift
// CHECK-NOT: hls.shift
// CHECK: ^bb0(%[[X:.*]]: f32, %[[E:.*]]: i32, %{{.*}}: f32):
// CHECK: %[[C127:.*]] = arith.constant 127 : i32
// CHECK: %[[LO:.*]] = arith.minsi %[[E]], %[[C127]]
// CHECK: %[[E1:.*]] = arith.maxsi %[[LO]]
// CHECK: %[[F1:.*]] = arith.addi %[[E1]], %[[C127]]
// CHECK: %[[B1:.*]] = arith.shli %[[F1]], %[[C23:.*]] : i32
// CHECK: %[[P1:.*]] = arith.bitcast %[[B1]] : i32 to f32
// CHECK: %[[Y1:.*]] = arith.mulf %[[X]], %[[P1]]
// CHECK: %[[REST:.*]] = arith.subi %[[E]], %[[E1]]
// CHECK: arith.minsi %[[REST]], %[[C127]]
// CHECK: %[[P2:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK: %[[Y2:.*]] = arith.mulf %[[Y1]], %[[P2]]
// CHECK: %[[P3:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK: %[[Y3:.*]] = arith.mulf %[[Y2]], %[[P3]]
// CHECK: linalg.yield %[[Y3]]
func.func @shift(%x: tensor<601x200xf32>, %e: tensor<601x200xi32>) -> tensor<601x200xf32> {
  %init = tensor.empty() : tensor<601x200xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %e : tensor<601x200xf32>, tensor<601x200xi32>) outs(%init : tensor<601x200xf32>) {
  ^bb0(%a: f32, %b: i32, %out: f32):
    %s = hls.shift %a, %b : f32, i32
    linalg.yield %s : f32
  } -> tensor<601x200xf32>
  return %y : tensor<601x200xf32>
}

// CHECK-LABEL: func @constant_in_range
// CHECK-NOT: hls.shift
// CHECK: %[[C:.*]] = arith.constant 1.250000e-01 : f32
// CHECK-NEXT: %[[Y:.*]] = arith.mulf %arg0, %[[C]] : f32
// CHECK-NEXT: return %[[Y]]
func.func @constant_in_range(%x: f32) -> f32 {
  %c = arith.constant -3 : i32
  %y = hls.shift %x, %c : f32, i32
  return %y : f32
}

// CHECK-LABEL: func @constant_out_of_range
// CHECK: %[[C1:.*]] = arith.constant 1.70141183E+38 : f32
// CHECK: %[[Y1:.*]] = arith.mulf %arg0, %[[C1]] : f32
// CHECK: %[[C2:.*]] = arith.constant 8.000000e+00 : f32
// CHECK: arith.mulf %[[Y1]], %[[C2]] : f32
func.func @constant_out_of_range(%x: f32) -> f32 {
  %c = arith.constant 130 : i32
  %y = hls.shift %x, %c : f32, i32
  return %y : f32
}

// EXEC: 120200 products, 601 exponents in [-300, 300]
// EXEC: e in [-126, 127]: 0 differ from ldexp
// EXEC: e outside [-126, 127], normal or zero or inf results: 0 differ from ldexp
// EXEC: e outside [-126, 127], subnormal results: {{[0-9]+}} of {{[0-9]+}} differ
// EXEC: all products: ok
