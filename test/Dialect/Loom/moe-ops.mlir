// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s -mlir-print-op-generic | loom-opt | FileCheck %s

// Round trip of the loom.moe.* ops in each of their forms.

// CHECK-LABEL: func @route_forms
func.func @route_forms(%l: tensor<16x8xf32>) {
  // CHECK: loom.moe.route %{{.*}} {k = 2 : i64, renormalize} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  %w0, %i0, %d0 = loom.moe.route %l {k = 2, renormalize}
      : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  // CHECK: loom.moe.route %{{.*}} {capacity_factor = 1.250000e+00 : f64, k = 1 : i64, mode = #loom.moe_routing<topk_softmax>}
  %w1, %i1, %d1 = loom.moe.route %l {mode = #loom.moe_routing<topk_softmax>, k = 1, capacity_factor = 1.25}
      : tensor<16x8xf32> -> (tensor<16x1xf32>, tensor<16x1xi64>, tensor<i64>)
  // CHECK: loom.moe.route %{{.*}} {k_max = 3 : i64, mode = #loom.moe_routing<top_p>, top_p = 5.000000e-01 : f32}
  %w2, %i2, %d2 = loom.moe.route %l {mode = #loom.moe_routing<top_p>, top_p = 0.5 : f32, k_max = 3}
      : tensor<16x8xf32> -> (tensor<16x3xf32>, tensor<16x3xi64>, tensor<i64>)
  return
}

// CHECK-LABEL: func @steps
func.func @steps(%x: tensor<16x64xbf16>, %i: tensor<16x2xi64>, %w: tensor<16x2xbf16>,
                 %w1: tensor<8x64x128xbf16>, %w2: tensor<8x128x64xbf16>, %w3: tensor<8x64x128xbf16>) -> tensor<16x64xbf16> {
  // CHECK: %[[R:.*]], %[[P:.*]], %[[O:.*]], %[[C:.*]] = loom.moe.dispatch %{{.*}}, %{{.*}} : (tensor<16x64xbf16>, tensor<16x2xi64>) -> (tensor<32x64xbf16>, tensor<32xi64>, tensor<8xi64>, tensor<8xi64>)
  %rows, %perm, %offsets, %counts = loom.moe.dispatch %x, %i
      : (tensor<16x64xbf16>, tensor<16x2xi64>) -> (tensor<32x64xbf16>, tensor<32xi64>, tensor<8xi64>, tensor<8xi64>)
  // CHECK: %[[Y:.*]] = loom.moe.experts %[[R]], %[[O]], %[[C]] weights(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<32x64xbf16>
  %y = loom.moe.experts %rows, %offsets, %counts weights(%w1, %w2, %w3)
      : (tensor<32x64xbf16>, tensor<8xi64>, tensor<8xi64>, tensor<8x64x128xbf16>, tensor<8x128x64xbf16>,
         tensor<8x64x128xbf16>) -> tensor<32x64xbf16>
  // CHECK: loom.moe.combine %[[Y]], %[[P]], %{{.*}} : (tensor<32x64xbf16>, tensor<32xi64>, tensor<16x2xbf16>) -> tensor<16x64xbf16>
  %out = loom.moe.combine %y, %perm, %w
      : (tensor<32x64xbf16>, tensor<32xi64>, tensor<16x2xbf16>) -> tensor<16x64xbf16>
  return %out : tensor<16x64xbf16>
}

// CHECK-LABEL: func @zero_computation_experts
func.func @zero_computation_experts(%rows: tensor<32x64xf32>, %offsets: tensor<5xi64>, %counts: tensor<5xi64>,
                                    %v1: tensor<2x64x128xf32>, %v2: tensor<2x128x64xf32>, %c: tensor<1x64xf32>) -> tensor<32x64xf32> {
  // CHECK: loom.moe.experts %{{.*}}, %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}) constants(%{{.*}}) {activation = #loom.moe_activation<gelu>, kinds = [#loom.moe_expert<ffn>, #loom.moe_expert<zero>, #loom.moe_expert<ffn>, #loom.moe_expert<copy>, #loom.moe_expert<constant>]}
  %y = loom.moe.experts %rows, %offsets, %counts weights(%v1, %v2) constants(%c)
      {activation = #loom.moe_activation<gelu>,
       kinds = [#loom.moe_expert<ffn>, #loom.moe_expert<zero>, #loom.moe_expert<ffn>,
                #loom.moe_expert<copy>, #loom.moe_expert<constant>]}
      : (tensor<32x64xf32>, tensor<5xi64>, tensor<5xi64>, tensor<2x64x128xf32>,
         tensor<2x128x64xf32>, tensor<1x64xf32>) -> tensor<32x64xf32>
  return %y : tensor<32x64xf32>
}

// CHECK-LABEL: func @layers
func.func @layers(%x: tensor<16x64xf32>, %wg: tensor<64x8xf32>, %w1: tensor<8x64x128xf32>,
                  %w2: tensor<8x128x64xf32>, %w3: tensor<8x64x128xf32>) -> (tensor<16x64xf32>, tensor<16x64xf32>) {
  // CHECK: loom.moe.ffn %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}, %{{.*}}) {k = 2 : i64, renormalize} : (tensor<16x64xf32>, tensor<64x8xf32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<8x64x128xf32>) -> (tensor<16x64xf32>, tensor<i64>)
  %out, %d = loom.moe.ffn %x, %wg weights(%w1, %w2, %w3) {k = 2, renormalize}
      : (tensor<16x64xf32>, tensor<64x8xf32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>,
         tensor<8x64x128xf32>) -> (tensor<16x64xf32>, tensor<i64>)
  // CHECK: loom.moe.ffn {{.*}} {activation = #loom.moe_activation<relu>, capacity_factor = 2.000000e+00 : f64, k_max = 2 : i64, mode = #loom.moe_routing<top_p>, top_p = 0.899999976 : f32}
  %out2, %d2 = loom.moe.ffn %x, %wg weights(%w1, %w2)
      {mode = #loom.moe_routing<top_p>, top_p = 0.9 : f32, k_max = 2, capacity_factor = 2.0,
       activation = #loom.moe_activation<relu>}
      : (tensor<16x64xf32>, tensor<64x8xf32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>)
      -> (tensor<16x64xf32>, tensor<i64>)
  return %out, %out2 : tensor<16x64xf32>, tensor<16x64xf32>
}
