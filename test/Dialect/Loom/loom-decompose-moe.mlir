// RUN: loom-opt %s -loom-decompose-moe -split-input-file | FileCheck %s

// A Mixtral layer becomes the router matmul (f32 logits) and the four steps; the
// routing attributes go to loom.moe.route, the expert ones to loom.moe.experts.
// CHECK-LABEL: func @mixtral
// CHECK-SAME: (%[[X:.*]]: tensor<16x64xf32>, %[[WG:.*]]: tensor<64x8xf32>, %[[W1:.*]]: tensor<8x64x128xf32>, %[[W2:.*]]: tensor<8x128x64xf32>, %[[W3:.*]]: tensor<8x64x128xf32>)
// CHECK: %[[LOGITS:.*]] = linalg.matmul ins(%[[X]], %[[WG]] : tensor<16x64xf32>, tensor<64x8xf32>) outs(%{{.*}} : tensor<16x8xf32>)
// CHECK: %[[W:.*]], %[[I:.*]], %[[D:.*]] = loom.moe.route %[[LOGITS]] {k = 2 : i64, renormalize} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
// CHECK: %[[ROWS:.*]], %[[PERM:.*]], %[[OFF:.*]], %[[CNT:.*]] = loom.moe.dispatch %[[X]], %[[I]]
// CHECK-SAME: -> (tensor<32x64xf32>, tensor<32xi64>, tensor<8xi64>, tensor<8xi64>)
// CHECK: %[[Y:.*]] = loom.moe.experts %[[ROWS]], %[[OFF]], %[[CNT]] weights(%[[W1]], %[[W2]], %[[W3]])
// CHECK: %[[OUT:.*]] = loom.moe.combine %[[Y]], %[[PERM]], %[[W]]
// CHECK-NOT: loom.moe.ffn
// CHECK: return %[[OUT]], %[[D]]
func.func @mixtral(%x: tensor<16x64xf32>, %wg: tensor<64x8xf32>, %w1: tensor<8x64x128xf32>,
                   %w2: tensor<8x128x64xf32>, %w3: tensor<8x64x128xf32>) -> (tensor<16x64xf32>, tensor<i64>) {
  %out, %d = loom.moe.ffn %x, %wg weights(%w1, %w2, %w3) {k = 2, renormalize}
      : (tensor<16x64xf32>, tensor<64x8xf32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>,
         tensor<8x64x128xf32>) -> (tensor<16x64xf32>, tensor<i64>)
  return %out, %d : tensor<16x64xf32>, tensor<i64>
}

// -----

// MoE++ with top-p, capacity and f16 activations: every attribute reaches its
// step; the router weights are f32 whatever the input precision.
// CHECK-LABEL: func @moepp_top_p
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<8x32xf16>, tensor<32x4xf16>) outs(%{{.*}} : tensor<8x4xf32>)
// CHECK: loom.moe.route %{{.*}} {capacity_factor = 1.500000e+00 : f64, k_max = 3 : i64, mode = #loom.moe_routing<top_p>, top_p = 5.000000e-01 : f32} : tensor<8x4xf32> -> (tensor<8x3xf32>, tensor<8x3xi64>, tensor<i64>)
// CHECK: loom.moe.dispatch {{.*}} -> (tensor<24x32xf16>, tensor<24xi64>, tensor<4xi64>, tensor<4xi64>)
// CHECK: loom.moe.experts {{.*}} weights(%{{.*}}, %{{.*}}) constants(%{{.*}}) {activation = #loom.moe_activation<relu>, kinds = [#loom.moe_expert<ffn>, #loom.moe_expert<zero>, #loom.moe_expert<copy>, #loom.moe_expert<constant>]}
// CHECK: loom.moe.combine {{.*}} : (tensor<24x32xf16>, tensor<24xi64>, tensor<8x3xf32>) -> tensor<8x32xf16>
func.func @moepp_top_p(%x: tensor<8x32xf16>, %wg: tensor<32x4xf16>, %w1: tensor<1x32x64xf16>,
                       %w2: tensor<1x64x32xf16>, %c: tensor<1x32xf16>) -> (tensor<8x32xf16>, tensor<i64>) {
  %out, %d = loom.moe.ffn %x, %wg weights(%w1, %w2) constants(%c)
      {mode = #loom.moe_routing<top_p>, top_p = 0.5 : f32, k_max = 3, capacity_factor = 1.5,
       activation = #loom.moe_activation<relu>,
       kinds = [#loom.moe_expert<ffn>, #loom.moe_expert<zero>, #loom.moe_expert<copy>, #loom.moe_expert<constant>]}
      : (tensor<8x32xf16>, tensor<32x4xf16>, tensor<1x32x64xf16>, tensor<1x64x32xf16>, tensor<1x32xf16>)
      -> (tensor<8x32xf16>, tensor<i64>)
  return %out, %d : tensor<8x32xf16>, tensor<i64>
}

// -----

// negative_dynamic: a layer with a dynamic token count is left alone.
// CHECK-LABEL: func @negative_dynamic
// CHECK: loom.moe.ffn
// CHECK-NOT: loom.moe.route
func.func @negative_dynamic(%x: tensor<?x16xf32>, %wg: tensor<16x4xf32>, %w1: tensor<4x16x32xf32>,
                            %w2: tensor<4x32x16xf32>, %w3: tensor<4x16x32xf32>) -> (tensor<?x16xf32>, tensor<i64>) {
  %out, %d = loom.moe.ffn %x, %wg weights(%w1, %w2, %w3) {k = 1}
      : (tensor<?x16xf32>, tensor<16x4xf32>, tensor<4x16x32xf32>, tensor<4x32x16xf32>,
         tensor<4x16x32xf32>) -> (tensor<?x16xf32>, tensor<i64>)
  return %out, %d : tensor<?x16xf32>, tensor<i64>
}
