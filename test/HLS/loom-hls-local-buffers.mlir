// RUN: loom-opt %s --split-input-file --loom-hls-local-buffers --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func @static
// CHECK: %[[B0:.*]] = memref.alloca() : memref<4x8xf32>
// CHECK: linalg.copy ins(%arg0 : memref<4x8xf32>) outs(%[[B0]] : memref<4x8xf32>)
// CHECK: linalg.copy ins(%[[B0]] : memref<4x8xf32>) outs(%arg0 : memref<4x8xf32>)
// CHECK-NOT: memref.alloc(
// CHECK-NOT: memref.dealloc
// CHECK-NOT: memref.copy
func.func @static(%arg0: memref<4x8xf32>) {
  %0 = memref.alloc() {alignment = 64 : i64} : memref<4x8xf32>
  memref.copy %arg0, %0 : memref<4x8xf32> to memref<4x8xf32>
  memref.copy %0, %arg0 : memref<4x8xf32> to memref<4x8xf32>
  memref.dealloc %0 : memref<4x8xf32>
  return
}

// -----

func.func @dynamic(%n: index) {
  // expected-error @below {{HLS code needs static shapes: this buffer of type 'memref<?xf32>' has a size known only at run time}}
  %0 = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %0 : memref<?xf32>
  return
}
