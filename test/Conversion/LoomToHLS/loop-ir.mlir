// RUN: loom-opt %s --convert-loom-to-hls --convert-loom-to-linalg --canonicalize \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --canonicalize | FileCheck %s
//
// The shift-add forms survive bufferization and convert-linalg-to-loops as
// LOOP IR (the HLS pipeline's stages): shift_matmul's loops multiply
// nothing (each weight is a sign select and an hls.shift), and bcq_matmul's
// only buffers are the output and one [K/8, 256] table.

// CHECK-LABEL: func @shift_matmul
// CHECK-NOT: arith.mulf
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK-NOT: arith.mulf
// CHECK: memref.load %arg1
// CHECK-NOT: arith.mulf
// CHECK: hls.shift
// CHECK-NOT: arith.mulf
// CHECK: return
func.func @shift_matmul(%x: tensor<5x40xf32>, %s: tensor<24x40xi8>, %p: tensor<24x40xi8>) -> tensor<5x24xf32> {
  %y = loom.shift_matmul %x, %s, %p
      : (tensor<5x40xf32>, tensor<24x40xi8>, tensor<24x40xi8>) -> tensor<5x24xf32>
  return %y : tensor<5x24xf32>
}

// CHECK-LABEL: func @bcq_matmul
// CHECK: memref.alloc() {{.*}} : memref<5x24xf32>
// CHECK-NEXT: memref.alloc() {{.*}} : memref<16x256xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: arith.mulf
// CHECK: hls.shift
// CHECK-NOT: arith.mulf
// CHECK: return
func.func @bcq_matmul(%x: tensor<5x128xf32>, %b: tensor<3x24x16xi8>, %e: tensor<3x24x4xi8>) -> tensor<5x24xf32> {
  %y = loom.bcq_matmul %x, %b, %e {group_size = 32}
      : (tensor<5x128xf32>, tensor<3x24x16xi8>, tensor<3x24x4xi8>) -> tensor<5x24xf32>
  return %y : tensor<5x24xf32>
}
