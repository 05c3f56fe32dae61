// loom-copies-to-linalg (part of loom-cpu-pipeline) turns memref.copy into a
// strided view (what bufferizing the importer's tensor.concat produces) into
// linalg.copy, so lowering emits loops instead of a call to the memrefCopy
// runtime helper. End to end: every Concat in ops.test and test/Models runs.
// RUN: loom-opt %s --loom-copies-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @strided_target
// CHECK-NOT:     memref.copy
// CHECK:         linalg.copy ins(%arg0 : memref<4x1xf32>) outs(%{{.*}} : memref<4x1xf32, strided<[2, 1], offset: 1>>)
func.func @strided_target(%src: memref<4x1xf32>, %dst: memref<4x2xf32>) {
  %sub = memref.subview %dst[0, 1] [4, 1] [1, 1] : memref<4x2xf32> to memref<4x1xf32, strided<[2, 1], offset: 1>>
  memref.copy %src, %sub : memref<4x1xf32> to memref<4x1xf32, strided<[2, 1], offset: 1>>
  return
}

// Contiguous copies stay memref.copy (they lower to a memcpy).
// CHECK-LABEL: func.func @negative_identity_layouts
// CHECK:         memref.copy
// CHECK-NOT:     linalg.copy
func.func @negative_identity_layouts(%src: memref<4x2xf32>, %dst: memref<4x2xf32>) {
  memref.copy %src, %dst : memref<4x2xf32> to memref<4x2xf32>
  return
}
