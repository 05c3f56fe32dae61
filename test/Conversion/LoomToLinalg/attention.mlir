// RUN: loom-opt %s -convert-loom-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// The structure of the reference lowering; its numbers are checked by the
// execution tests in test/Integration/Attention.

// GQA 4:2: kv heads are read through `h floordiv 2`; no loom op remains.
// CHECK-DAG: #[[KMAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 2, d3, d4)>
// CHECK-LABEL: func @gqa
// CHECK-NOT: loom.
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[KMAP]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK: math.exp
// CHECK: arith.divf
// CHECK-NOT: loom.
// CHECK: return
func.func @gqa(%q: tensor<1x4x3x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x8xf32>) -> tensor<1x4x3x8xf32> {
  %o = loom.attention %q, %k, %v {causal} : (tensor<1x4x3x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>) -> tensor<1x4x3x8xf32>
  return %o : tensor<1x4x3x8xf32>
}

// -----

// f16 storage: softmax in f32, one truncf back at the end.
// CHECK-LABEL: func @half
// CHECK: arith.extf
// CHECK: arith.truncf {{.*}} : f32 to f16
func.func @half(%q: tensor<1x1x2x8xf16>, %k: tensor<1x1x2x8xf16>, %v: tensor<1x1x2x8xf16>) -> tensor<1x1x2x8xf16> {
  %o = loom.attention %q, %k, %v : (tensor<1x1x2x8xf16>, tensor<1x1x2x8xf16>, tensor<1x1x2x8xf16>) -> tensor<1x1x2x8xf16>
  return %o : tensor<1x1x2x8xf16>
}

// -----

// A cache argument becomes its five component tensors in the signature.
// CHECK-LABEL: func @cache_signature
// CHECK-SAME: tensor<1x2x16x8xf32>, %{{.*}}: tensor<1x2x16x8xf32>, %{{.*}}: tensor<1x2x16xi64>, %{{.*}}: tensor<1xi64>, %{{.*}}: tensor<1xi64>)
func.func @cache_signature(%q: tensor<1x4x1x8xf32>, %c: !loom.kv_cache<1x2x16x8xf32>) -> tensor<1x4x1x8xf32> {
  %o = loom.attention %q, %c {causal} : (tensor<1x4x1x8xf32>, !loom.kv_cache<1x2x16x8xf32>) -> tensor<1x4x1x8xf32>
  return %o : tensor<1x4x1x8xf32>
}

// -----

// Dynamic shapes are not lowered: a located error, not a crash.
func.func @negative_dynamic(%q: tensor<1x4x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x8xf32>) -> tensor<1x4x?x8xf32> {
  // expected-error @+1 {{failed to legalize operation 'loom.attention'}}
  %o = loom.attention %q, %k, %v : (tensor<1x4x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x4x?x8xf32>
  return %o : tensor<1x4x?x8xf32>
}
