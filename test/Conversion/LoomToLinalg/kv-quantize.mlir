// RUN: loom-opt %s -split-input-file --convert-loom-to-linalg | FileCheck %s

// A quantized cache is eleven tensors: packed i8 codes of keys and values (4
// bits: two per byte), positions, length, next, then the f32 scales and zero
// points of the key groups (per channel over 4 tokens: [B,H,C/4,D]) and of the
// value groups (per token over 4 channels: [B,H,C,Dv/4]) and the
// full-precision residual window (group + residual - 1 = 7 entries).

!cache = !loom.kv_cache<1x2x16x8xf32>
!qcache = !loom.kv_cache<1x2x16x8xf32, quant = <bits = 4, group = 4, residual = 4>>

// CHECK-LABEL: func.func @quantize_parts
// CHECK-SAME: -> (tensor<1x2x16x4xi8>, tensor<1x2x16x4xi8>, tensor<1x2x16xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x16x2xf32>, tensor<1x2x16x2xf32>, tensor<1x2x7x8xf32>, tensor<1x2x7x8xf32>)
// Key groups: min/max over 4 tokens of a channel.
// CHECK: tensor.expand_shape {{.*}} : tensor<1x2x16x8xf32> into tensor<1x2x4x4x8xf32>
// Codes: 15 levels, round-half-even, the second code of a byte in the high
// nibble.
// CHECK: linalg.generic
// CHECK:   arith.constant 1.500000e+01 : f32
// CHECK:   math.roundeven
// CHECK:   arith.fptoui {{.*}} : f32 to i32
// CHECK:   arith.shli %{{.*}}, %c4_i32 : i32
// CHECK:   arith.trunci {{.*}} : i32 to i8
// CHECK: } -> tensor<1x2x16x4xi8>
// Value groups: min/max over 4 channels of a token.
// CHECK: tensor.expand_shape {{.*}} : tensor<1x2x16x8xf32> into tensor<1x2x16x2x4xf32>
// CHECK: return
func.func @quantize_parts(%c: !cache) -> !qcache {
  %q = loom.kv.quantize %c : !cache -> !qcache
  return %q : !qcache
}

// -----

// Dequantizing reads the codes on the fly: byte d floordiv 4 (2 bits: four
// codes a byte), key scales by token group, value scales by channel group.

// CHECK-DAG: #[[CODE:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3 floordiv 4)>
// CHECK-DAG: #[[KEYGROUP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 floordiv 4, d3)>
// CHECK-LABEL: func.func @dequantize_only
// CHECK-SAME: (%[[K:[^:]*]]: tensor<1x2x16x2xi8>, %[[V:[^:]*]]: tensor<1x2x16x2xi8>, %[[P:[^:]*]]: tensor<1x2x16xi64>, %[[L:[^:]*]]: tensor<1xi64>, %[[N:[^:]*]]: tensor<1xi64>, %{{.*}}: tensor<1x2x4x8xf32>, %{{.*}}: tensor<1x2x4x8xf32>, %{{.*}}: tensor<1x2x16x2xf32>, %{{.*}}: tensor<1x2x16x2xf32>, %{{.*}}: tensor<1x2x3x8xf32>, %{{.*}}: tensor<1x2x3x8xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[CODE]], #[[KEYGROUP]], #[[KEYGROUP]]
// CHECK-SAME: ins(%[[K]],
// CHECK:   arith.shrui
// CHECK:   arith.uitofp
// CHECK: return %{{.*}}, %{{.*}}, %[[P]], %[[L]], %[[N]] : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16xi64>, tensor<1xi64>, tensor<1xi64>
func.func @dequantize_only(%q: !loom.kv_cache<1x2x16x8xf32, quant = <bits = 2, group = 4, residual = 0>>) -> !loom.kv_cache<1x2x16x8xf32> {
  %d = loom.kv.dequantize %q : !loom.kv_cache<1x2x16x8xf32, quant = <bits = 2, group = 4, residual = 0>> -> !loom.kv_cache<1x2x16x8xf32>
  return %d : !loom.kv_cache<1x2x16x8xf32>
}

// -----

// 8-bit codes: one per byte, no packing shifts; the append quantizes from a
// window of the old residual (8 entries) and the new tokens.

// CHECK-LABEL: func.func @append_8bit
// CHECK-SAME: -> (tensor<1x1x16x4xi8>, tensor<1x1x16x4xi8>, tensor<1x1x16xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x16x1xf32>, tensor<1x1x16x1xf32>, tensor<1x1x8x4xf16>, tensor<1x1x8x4xf16>)
// CHECK: scf.if
// CHECK: } -> tensor<1x1x12x4xf16>
// CHECK-NOT: arith.shli
// CHECK: return
func.func @append_8bit(%c: !loom.kv_cache<1x1x16x4xf16, quant = <bits = 8, group = 4, residual = 5>>,
                       %k: tensor<1x1x2x4xf16>, %v: tensor<1x1x2x4xf16>)
    -> !loom.kv_cache<1x1x16x4xf16, quant = <bits = 8, group = 4, residual = 5>> {
  %r = loom.kv.append %c, %k, %v : !loom.kv_cache<1x1x16x4xf16, quant = <bits = 8, group = 4, residual = 5>>, tensor<1x1x2x4xf16>, tensor<1x1x2x4xf16>
  return %r : !loom.kv_cache<1x1x16x4xf16, quant = <bits = 8, group = 4, residual = 5>>
}
