// RUN: loom-opt %s -split-input-file --convert-loom-to-linalg | FileCheck %s

// Fake quantization: keys grouped along tokens (floordiv on the token index),
// values along channels; 4 bits = 15 levels, round-half-even; dequantize is a
// no-op on the converted form.

!cache = !loom.kv_cache<1x2x16x8xf32>
!qcache = !loom.kv_cache<1x2x16x8xf32, quant = <bits = 4, group = 4, residual = 4>>

// CHECK-DAG: #[[KEYGROUP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 floordiv 4, d3)>
// CHECK-DAG: #[[VALGROUP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3 floordiv 4)>
// CHECK-LABEL: func.func @roundtrip
// CHECK: tensor.expand_shape {{.*}} : tensor<1x2x16x8xf32> into tensor<1x2x4x4x8xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[KEYGROUP]], #[[KEYGROUP]]
// CHECK:   arith.constant 1.500000e+01 : f32
// CHECK:   math.roundeven
// CHECK: tensor.expand_shape {{.*}} : tensor<1x2x16x8xf32> into tensor<1x2x16x2x4xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[VALGROUP]], #[[VALGROUP]]
// CHECK: return
func.func @roundtrip(%c: !cache) -> !cache {
  %q = loom.kv.quantize %c : !cache -> !qcache
  %d = loom.kv.dequantize %q : !qcache -> !cache
  return %d : !cache
}

// -----

// CHECK-LABEL: func.func @dequantize_only
// CHECK-SAME: (%[[K:[^:]*]]: tensor<1x2x16x8xf32>, %[[V:[^:]*]]: tensor<1x2x16x8xf32>, %[[P:[^:]*]]: tensor<1x2x16xi64>, %[[L:[^:]*]]: tensor<1xi64>, %[[N:[^:]*]]: tensor<1xi64>)
// CHECK-NEXT: return %[[K]], %[[V]], %[[P]], %[[L]], %[[N]]
func.func @dequantize_only(%q: !loom.kv_cache<1x2x16x8xf32, quant = <bits = 2, group = 4, residual = 0>>) -> !loom.kv_cache<1x2x16x8xf32> {
  %d = loom.kv.dequantize %q : !loom.kv_cache<1x2x16x8xf32, quant = <bits = 2, group = 4, residual = 0>> -> !loom.kv_cache<1x2x16x8xf32>
  return %d : !loom.kv_cache<1x2x16x8xf32>
}
