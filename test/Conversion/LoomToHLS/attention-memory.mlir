// RUN: loom-opt %s --convert-loom-to-hls --convert-loom-to-linalg --canonicalize \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --canonicalize | FileCheck %s
// RUN: loom-opt %s --convert-loom-to-linalg --canonicalize \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --canonicalize | FileCheck %s --check-prefix=REF
//
// The memory argument of streaming attention, on the bufferized loops:
// with Sq = Skv = 64, D = Dv = 16, the HLS form allocates the output and
// one [Dv] accumulator and nothing else (no 64x64 score buffer), and runs
// as plain scf.for loops (no linalg left). The reference lowering of the
// same op allocates [B,H,Sq,Skv] score buffers (REF), which is what the HLS
// form avoids.

// CHECK-LABEL: func @causal_gqa
// CHECK-NOT: linalg.
// CHECK: memref.alloc() {{.*}} : memref<1x4x64x16xf32>
// CHECK-NEXT: memref.alloc() {{.*}} : memref<16xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: x64x64x
// CHECK-NOT: linalg.
// CHECK: return
// REF-LABEL: func @causal_gqa
// REF: memref.alloc() {{.*}} : memref<1x4x64x64xf32>
func.func @causal_gqa(%q: tensor<1x4x64x16xf32>, %k: tensor<1x2x64x16xf32>, %v: tensor<1x2x64x16xf32>) -> tensor<1x4x64x16xf32> {
  %o = loom.attention %q, %k, %v {causal}
      : (tensor<1x4x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>) -> tensor<1x4x64x16xf32>
  return %o : tensor<1x4x64x16xf32>
}
