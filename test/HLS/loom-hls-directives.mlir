// RUN: loom-opt %s --split-input-file --loom-hls-directives --verify-diagnostics | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-hls-directives="unroll=4 ii=2" --verify-diagnostics | FileCheck %s --check-prefix=U4
// RUN: loom-opt %s --split-input-file --loom-hls-directives="unroll=0" --verify-diagnostics | FileCheck %s --check-prefix=FULL
// RUN: loom-opt %S/Inputs/two-functions.mlir --loom-hls-directives="top=helper" | FileCheck %s --check-prefix=TOP
// RUN: not loom-opt %s --split-input-file --loom-hls-directives="ii=0" 2>&1 | FileCheck %s --check-prefix=BADII
// RUN: not loom-opt %s --split-input-file --loom-hls-directives="unroll=-2" 2>&1 | FileCheck %s --check-prefix=BADUNROLL
// RUN: not loom-opt %s --split-input-file --loom-hls-directives="top=nope" 2>&1 | FileCheck %s --check-prefix=BADTOP

// BADII: error: loom-hls-directives: ii must be >= 1, got 0
// BADUNROLL: error: loom-hls-directives: unroll must be >= 0 (0 = full, 1 = none), got -2
// BADTOP: error: loom-hls-directives: top='nope' names no function with a body in this module

// A matmul with a local accumulator: the innermost loop of each nest is
// pipelined; unroll partitions the local array along the dimension the
// unrolled loop indexes (the k loop indexes no local array), never the
// arguments (m_axi). Without top=, every public function with a body is a
// top; the private helper and the declaration are not.

// CHECK-LABEL: func.func @mm
// CHECK-SAME: attributes {hls.top}
// CHECK: memref.alloca() : memref<16x16xf32>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: } {hls.pipeline_ii = 1 : i64}
// CHECK-NEXT: }{{$}}
// CHECK: } {hls.pipeline_ii = 1 : i64}
// CHECK-NEXT: }{{$}}
// CHECK-NEXT: }{{$}}
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: hls.top
// CHECK: } {hls.pipeline_ii = 1 : i64}
// CHECK: func.func private @decl(memref<4xf32>){{$}}

// U4-LABEL: func.func @mm
// U4: memref.alloca() {hls.array_partition = [{dim = 2 : i64, factor = 4 : i64, type = "cyclic"}]} : memref<16x16xf32>
// U4: } {hls.pipeline_ii = 2 : i64, hls.unroll = 4 : i64}
// U4: } {hls.pipeline_ii = 2 : i64, hls.unroll = 4 : i64}

// Full unroll (and a factor >= the extent): complete partition, the factor
// is the extent.
// FULL-LABEL: func.func @mm
// FULL: memref.alloca() {hls.array_partition = [{dim = 2 : i64, factor = 16 : i64, type = "complete"}]} : memref<16x16xf32>
// FULL: } {hls.pipeline_ii = 1 : i64, hls.unroll = 0 : i64}

// top= names the one top function (Inputs/two-functions.mlir: a public
// @main and a private @helper).
// TOP-LABEL: func.func @main
// TOP-NOT: hls.top
// TOP: func.func private @helper
// TOP-SAME: attributes {hls.top}
func.func @mm(%A: memref<16x16xf32>, %B: memref<16x16xf32>, %C: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloca() : memref<16x16xf32>
  scf.for %i = %c0 to %c16 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      memref.store %zero, %acc[%i, %j] : memref<16x16xf32>
    }
  }
  scf.for %i = %c0 to %c16 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      scf.for %k = %c0 to %c16 step %c1 {
        %a = memref.load %A[%i, %k] : memref<16x16xf32>
        %b = memref.load %B[%k, %j] : memref<16x16xf32>
        %c = memref.load %acc[%i, %j] : memref<16x16xf32>
        %p = arith.mulf %a, %b : f32
        %s = arith.addf %c, %p : f32
        memref.store %s, %acc[%i, %j] : memref<16x16xf32>
      }
    }
  }
  memref.copy %acc, %C : memref<16x16xf32> to memref<16x16xf32>
  return
}

func.func private @helper(%x: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %x[%i] : memref<4xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %x[%i] : memref<4xf32>
  }
  return
}

func.func private @decl(memref<4xf32>)

// -----

// An index computed from the unrolled loop's variable (2*i+1) still selects
// the dimension; an unroll factor (4) >= the extent (2) of dim 1 is a
// complete partition of that dimension.
// CHECK-LABEL: func.func @affine_index
// CHECK-NOT: hls.array_partition
// U4-LABEL: func.func @affine_index
// U4: memref.alloca() {hls.array_partition = [{dim = 2 : i64, factor = 4 : i64, type = "cyclic"}]} : memref<2x64xf32>
// U4: memref.alloca() {hls.array_partition = [{dim = 1 : i64, factor = 2 : i64, type = "complete"}]} : memref<2x3xf32>
func.func @affine_index(%out: memref<2x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c32 = arith.constant 32 : index
  %one = arith.constant 1.0 : f32
  %buf = memref.alloca() : memref<2x64xf32>
  %small = memref.alloca() : memref<2x3xf32>
  scf.for %r = %c0 to %c2 step %c1 {
    scf.for %i = %c0 to %c32 step %c1 {
      %t = arith.muli %i, %c2 : index
      %j = arith.addi %t, %c1 : index
      memref.store %one, %buf[%r, %j] : memref<2x64xf32>
    }
  }
  scf.for %i = %c0 to %c2 step %c1 {
    memref.store %one, %small[%i, %c0] : memref<2x3xf32>
  }
  memref.copy %buf, %out : memref<2x64xf32> to memref<2x64xf32>
  return
}

// -----

// A dynamic bound with hls.trip_count is accepted.
// CHECK-LABEL: func.func @known_trip
// CHECK: } {hls.pipeline_ii = 1 : i64, hls.trip_count = 8 : i64}
func.func @known_trip(%x: memref<8xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %x[%i] : memref<8xf32>
    memref.store %v, %x[%i] : memref<8xf32>
  } {hls.trip_count = 8 : i64}
  return
}

// -----

func.func @unknown_trip(%x: memref<8xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @below {{HLS needs a trip count: this loop's bounds are not constants (set hls.trip_count or make them static)}}
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %x[%i] : memref<8xf32>
    memref.store %v, %x[%i] : memref<8xf32>
  }
  return
}
