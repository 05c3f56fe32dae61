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

// Quantized expert weights: int8 per output channel, and packed int4 with
// groups and zero points (loom.moe.experts and loom.moe.ffn).
// CHECK-LABEL: func @quantized_experts
func.func @quantized_experts(%rows: tensor<32x64xf32>, %offsets: tensor<8xi64>, %counts: tensor<8xi64>,
                             %q1: tensor<8x64x128xi8>, %q2: tensor<8x128x64xi8>, %q3: tensor<8x64x128xi8>,
                             %s1: tensor<8x1x128xf32>, %s2: tensor<8x1x64xf32>, %s3: tensor<8x1x128xf32>,
                             %p1: tensor<8x32x128xi8>, %p2: tensor<8x64x64xi8>, %p3: tensor<8x32x128xi8>,
                             %g1: tensor<8x2x128xf32>, %g2: tensor<8x4x64xf32>, %g3: tensor<8x2x128xf32>,
                             %z1: tensor<8x2x128xi8>, %z2: tensor<8x4x64xi8>, %z3: tensor<8x2x128xi8>,
                             %x: tensor<16x64xf32>, %wg: tensor<64x8xf32>) {
  // CHECK: loom.moe.experts %{{.*}}, %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}, %{{.*}}) scales(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<32x64xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x64x128xi8>
  %y = loom.moe.experts %rows, %offsets, %counts weights(%q1, %q2, %q3) scales(%s1, %s2, %s3)
      : (tensor<32x64xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x64x128xi8>, tensor<8x128x64xi8>,
         tensor<8x64x128xi8>, tensor<8x1x128xf32>, tensor<8x1x64xf32>, tensor<8x1x128xf32>) -> tensor<32x64xf32>
  // CHECK: loom.moe.experts %{{.*}}, %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}, %{{.*}}) scales(%{{.*}}, %{{.*}}, %{{.*}}) zero_points(%{{.*}}, %{{.*}}, %{{.*}}) {bits = 4 : i64, group_size = 32 : i64}
  %y4 = loom.moe.experts %rows, %offsets, %counts weights(%p1, %p2, %p3) scales(%g1, %g2, %g3)
      zero_points(%z1, %z2, %z3) {bits = 4, group_size = 32}
      : (tensor<32x64xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x32x128xi8>, tensor<8x64x64xi8>,
         tensor<8x32x128xi8>, tensor<8x2x128xf32>, tensor<8x4x64xf32>, tensor<8x2x128xf32>,
         tensor<8x2x128xi8>, tensor<8x4x64xi8>, tensor<8x2x128xi8>) -> tensor<32x64xf32>
  // CHECK: loom.moe.ffn %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}, %{{.*}}) scales(%{{.*}}, %{{.*}}, %{{.*}}) zero_points(%{{.*}}, %{{.*}}, %{{.*}}) {bits = 4 : i64, group_size = 32 : i64, k = 2 : i64}
  %out, %d = loom.moe.ffn %x, %wg weights(%p1, %p2, %p3) scales(%g1, %g2, %g3)
      zero_points(%z1, %z2, %z3) {k = 2, bits = 4, group_size = 32}
      : (tensor<16x64xf32>, tensor<64x8xf32>, tensor<8x32x128xi8>, tensor<8x64x64xi8>,
         tensor<8x32x128xi8>, tensor<8x2x128xf32>, tensor<8x4x64xf32>, tensor<8x2x128xf32>,
         tensor<8x2x128xi8>, tensor<8x4x64xi8>, tensor<8x2x128xi8>) -> (tensor<16x64xf32>, tensor<i64>)
  return
}
