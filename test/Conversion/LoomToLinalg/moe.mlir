// RUN: loom-opt %s -convert-loom-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// The structure of the reference lowering of the MoE ops; their numbers are
// checked by the execution tests in test/Integration/MoE.

// Route: ranks by a counting reduction over expert pairs, softmax, then the
// capacity position of every assignment by a reduction over earlier tokens.
// CHECK-LABEL: func @route_capacity
// CHECK-NOT: loom.
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK: math.exp
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]
// CHECK-NOT: loom.
// CHECK: return
func.func @route_capacity(%l: tensor<8x4xf32>) -> (tensor<8x2xf32>, tensor<8x2xi64>, tensor<i64>) {
  %w, %i, %d = loom.moe.route %l {k = 2, capacity_factor = 1.0}
      : tensor<8x4xf32> -> (tensor<8x2xf32>, tensor<8x2xi64>, tensor<i64>)
  return %w, %i, %d : tensor<8x2xf32>, tensor<8x2xi64>, tensor<i64>
}

// -----

// Dispatch gathers rows with tensor.extract at the permuted token.
// CHECK-LABEL: func @dispatch
// CHECK-NOT: loom.
// CHECK: tensor.extract
// CHECK: arith.divsi
// CHECK: tensor.extract
// CHECK-NOT: loom.
// CHECK: return
func.func @dispatch(%x: tensor<8x16xf32>, %i: tensor<8x2xi64>)
    -> (tensor<16x16xf32>, tensor<16xi64>, tensor<4xi64>, tensor<4xi64>) {
  %r, %p, %o, %c = loom.moe.dispatch %x, %i
      : (tensor<8x16xf32>, tensor<8x2xi64>) -> (tensor<16x16xf32>, tensor<16xi64>, tensor<4xi64>, tensor<4xi64>)
  return %r, %p, %o, %c : tensor<16x16xf32>, tensor<16xi64>, tensor<4xi64>, tensor<4xi64>
}

// -----

// Experts: static tables of each expert's kind (ffn 0, zero 1, copy 2,
// constant 3) and its slice in the weights or constants; f16 rows are computed
// in f32 and truncated once.
// CHECK-LABEL: func @experts
// CHECK-DAG: arith.constant dense<[3, 0, 1, 3]> : tensor<4xi64>
// CHECK-DAG: arith.constant dense<[0, 0, 0, 1]> : tensor<4xi64>
// CHECK-NOT: loom.
// CHECK: arith.truncf {{.*}} : f32 to f16
// CHECK: return
func.func @experts(%r: tensor<16x8xf16>, %o: tensor<4xi64>, %c: tensor<4xi64>, %w1: tensor<1x8x12xf16>,
                   %w2: tensor<1x12x8xf16>, %k: tensor<2x8xf16>) -> tensor<16x8xf16> {
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2) constants(%k)
      {activation = #loom.moe_activation<gelu_tanh>,
       kinds = [#loom.moe_expert<constant>, #loom.moe_expert<ffn>, #loom.moe_expert<zero>, #loom.moe_expert<constant>]}
      : (tensor<16x8xf16>, tensor<4xi64>, tensor<4xi64>, tensor<1x8x12xf16>, tensor<1x12x8xf16>, tensor<2x8xf16>) -> tensor<16x8xf16>
  return %y : tensor<16x8xf16>
}

// -----

// A whole layer lowers through its decomposition: the router matmul stays a
// linalg.matmul, no loom op remains.
// CHECK-LABEL: func @ffn
// CHECK: linalg.matmul
// CHECK-NOT: loom.
// CHECK: return
func.func @ffn(%x: tensor<8x16xf32>, %wg: tensor<16x4xf32>, %w1: tensor<4x16x32xf32>,
               %w2: tensor<4x32x16xf32>, %w3: tensor<4x16x32xf32>) -> (tensor<8x16xf32>, tensor<i64>) {
  %out, %d = loom.moe.ffn %x, %wg weights(%w1, %w2, %w3) {k = 2, renormalize}
      : (tensor<8x16xf32>, tensor<16x4xf32>, tensor<4x16x32xf32>, tensor<4x32x16xf32>,
         tensor<4x16x32xf32>) -> (tensor<8x16xf32>, tensor<i64>)
  return %out, %d : tensor<8x16xf32>, tensor<i64>
}

// -----

// Dynamic token counts are not lowered: a located error, not a crash.
func.func @negative_dynamic_route(%l: tensor<?x4xf32>) -> tensor<?x2xi64> {
  // expected-error @+1 {{failed to legalize operation 'loom.moe.route'}}
  %w, %i, %d = loom.moe.route %l {k = 2}
      : tensor<?x4xf32> -> (tensor<?x2xf32>, tensor<?x2xi64>, tensor<i64>)
  return %i : tensor<?x2xi64>
}

// -----

func.func @negative_dynamic_ffn(%x: tensor<?x16xf32>, %wg: tensor<16x4xf32>, %w1: tensor<4x16x32xf32>,
                                %w2: tensor<4x32x16xf32>, %w3: tensor<4x16x32xf32>) -> tensor<?x16xf32> {
  // expected-error @+1 {{failed to legalize operation 'loom.moe.ffn'}}
  %out, %d = loom.moe.ffn %x, %wg weights(%w1, %w2, %w3) {k = 1}
      : (tensor<?x16xf32>, tensor<16x4xf32>, tensor<4x16x32xf32>, tensor<4x32x16xf32>,
         tensor<4x16x32xf32>) -> (tensor<?x16xf32>, tensor<i64>)
  return %out : tensor<?x16xf32>
}
