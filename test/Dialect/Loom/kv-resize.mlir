// loom.kv.resize: round trip and verifier errors.
// RUN: loom-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @shrink_and_grow
// CHECK: loom.kv.resize %{{.*}} : !loom.kv_cache<1x2x16x8xf32> -> !loom.kv_cache<1x2x5x8xf32>
// CHECK: loom.kv.resize %{{.*}} : !loom.kv_cache<1x2x5x8xf32, value_dim = 4> -> !loom.kv_cache<1x2x32x8xf32, value_dim = 4>
func.func @shrink_and_grow(%c: !loom.kv_cache<1x2x16x8xf32>,
                           %d: !loom.kv_cache<1x2x5x8xf32, value_dim = 4>)
    -> (!loom.kv_cache<1x2x5x8xf32>, !loom.kv_cache<1x2x32x8xf32, value_dim = 4>) {
  %0 = loom.kv.resize %c : !loom.kv_cache<1x2x16x8xf32> -> !loom.kv_cache<1x2x5x8xf32>
  %1 = loom.kv.resize %d : !loom.kv_cache<1x2x5x8xf32, value_dim = 4> -> !loom.kv_cache<1x2x32x8xf32, value_dim = 4>
  return %0, %1 : !loom.kv_cache<1x2x5x8xf32>, !loom.kv_cache<1x2x32x8xf32, value_dim = 4>
}

// -----

func.func @other_heads(%c: !loom.kv_cache<1x2x16x8xf32>) {
  // expected-error @+1 {{result '!loom.kv_cache<1x4x8x8xf32>' must differ from the operand '!loom.kv_cache<1x2x16x8xf32>' in its capacity only}}
  %0 = loom.kv.resize %c : !loom.kv_cache<1x2x16x8xf32> -> !loom.kv_cache<1x4x8x8xf32>
  return
}

// -----

!q = !loom.kv_cache<1x2x16x8xf32, quant = <bits = 4, group = 4, residual = 4>>
func.func @quantized(%c: !q) {
  // expected-error @+1 {{cannot resize a quantized cache; resize before quantizing}}
  %0 = loom.kv.resize %c : !q -> !loom.kv_cache<1x2x8x8xf32, quant = <bits = 4, group = 4, residual = 4>>
  return
}
