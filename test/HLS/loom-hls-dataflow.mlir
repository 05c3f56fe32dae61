// RUN: loom-opt %s --split-input-file --loom-hls-dataflow --verify-diagnostics | FileCheck %s
// RUN: not loom-opt %S/Inputs/two-functions.mlir --loom-hls-dataflow 2>&1 | FileCheck %s --check-prefix=NOTOP
// RUN: not loom-opt %S/Inputs/dataflow-not-loops.mlir --loom-hls-dataflow 2>&1 | FileCheck %s --check-prefix=NOTLOOPS

// NOTOP: error: loom-hls-dataflow: no function has 'hls.top' (run loom-hls-directives first)
// NOTLOOPS: dataflow-not-loops.mlir:3:3: error: loom-hls-dataflow needs loop IR on buffers: lower 'linalg.copy' to loops first (loom-hls-pipeline)

// Three layers as bufferization leaves them, in one reused buffer: fill,
// matmul (accumulates in place), bias + relu (elementwise in place), copy
// out. Each nest becomes a stage; each write of %buf a new channel. The
// matmul reads and writes %buf other than elementwise: it copies its input
// channel into a working array and copies the result out. Every channel
// joins adjacent stages elementwise: all are streams.

// CHECK-LABEL: func.func private @mm_stage0(
// CHECK-SAME: %[[S0:[a-z0-9_]+]]: memref<4x8xf32, "hls.stream">)
// CHECK: memref.store %{{.*}}, %[[S0]][
// CHECK-LABEL: func.func private @mm_stage1(
// CHECK-SAME: %{{.*}}: memref<4x16xf32>, %{{.*}}: memref<16x8xf32>, %[[IN:[a-z0-9_]+]]: memref<4x8xf32, "hls.stream">, %[[OUT:[a-z0-9_]+]]: memref<4x8xf32, "hls.stream">)
// CHECK: %[[W:[a-z0-9_]+]] = memref.alloca() : memref<4x8xf32>
// CHECK: memref.load %[[IN]]
// CHECK: memref.store %{{.*}}, %[[W]]
// CHECK: } {hls.pipeline_ii = 1 : i64}
// CHECK: arith.mulf
// CHECK: memref.load %[[W]]
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK-LABEL: func.func private @mm_stage2(
// CHECK-SAME: %[[IN2:[a-z0-9_]+]]: memref<4x8xf32, "hls.stream">, %[[OUT2:[a-z0-9_]+]]: memref<4x8xf32, "hls.stream">, %{{.*}}: memref<8xf32>)
// CHECK: memref.load %[[IN2]]
// CHECK: arith.maximumf
// CHECK: memref.store %{{.*}}, %[[OUT2]]
// CHECK-LABEL: func.func private @mm_stage3(
// CHECK-LABEL: func.func @mm(
// CHECK-SAME: attributes {hls.dataflow, hls.top}
// CHECK-COUNT-3: memref.alloca() {hls.stream = 2 : i64} : memref<4x8xf32, "hls.stream">
// CHECK: call @mm_stage0(
// CHECK-NEXT: call @mm_stage1(
// CHECK-NEXT: call @mm_stage2(
// CHECK-NEXT: call @mm_stage3(
// CHECK-NEXT: return
func.func @mm(%x: memref<4x16xf32>, %w: memref<16x8xf32>, %b: memref<8xf32>,
              %y: memref<4x8xf32>) attributes {hls.top} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  %buf = memref.alloca() : memref<4x8xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      memref.store %zero, %buf[%i, %j] : memref<4x8xf32>
    } {hls.pipeline_ii = 1 : i64}
  }
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      scf.for %k = %c0 to %c16 step %c1 {
        %a = memref.load %x[%i, %k] : memref<4x16xf32>
        %v = memref.load %w[%k, %j] : memref<16x8xf32>
        %acc = memref.load %buf[%i, %j] : memref<4x8xf32>
        %p = arith.mulf %a, %v : f32
        %s = arith.addf %acc, %p : f32
        memref.store %s, %buf[%i, %j] : memref<4x8xf32>
      } {hls.pipeline_ii = 1 : i64}
    }
  }
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      %h = memref.load %buf[%i, %j] : memref<4x8xf32>
      %bj = memref.load %b[%j] : memref<8xf32>
      %s = arith.addf %h, %bj : f32
      %r = arith.maximumf %s, %zero : f32
      memref.store %r, %buf[%i, %j] : memref<4x8xf32>
    } {hls.pipeline_ii = 1 : i64}
  }
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      %h = memref.load %buf[%i, %j] : memref<4x8xf32>
      memref.store %h, %y[%i, %j] : memref<4x8xf32>
    } {hls.pipeline_ii = 1 : i64}
  }
  return
}

// -----

// negative_ streams: %t is read transposed (not in the order it is
// written) and twice (by stages 1 and 2: the producer writes one copy per
// reader); the argument %x is read by two stages (a first stage copies it
// into a local shadow). Those channels stay arrays (ping-pong buffers).

// CHECK-LABEL: func.func private @fanout_stage0(
// CHECK-SAME: %[[X:[a-z0-9_]+]]: memref<4x4xf32>, %[[C1:[a-z0-9_]+]]: memref<4x4xf32>, %[[C2:[a-z0-9_]+]]: memref<4x4xf32>)
// CHECK: %[[V:[a-z0-9_]+]] = memref.load %[[X]]
// CHECK-NEXT: memref.store %[[V]], %[[C1]]
// CHECK-NEXT: memref.store %[[V]], %[[C2]]
// CHECK-LABEL: func.func private @fanout_stage1(
// CHECK-SAME: memref<4x4xf32>, %[[T1:[a-z0-9_]+]]: memref<4x4xf32>, %[[T2:[a-z0-9_]+]]: memref<4x4xf32>)
// CHECK: arith.negf
// CHECK-NEXT: memref.store %{{.*}}, %[[T1]]
// CHECK-NEXT: memref.store %{{.*}}, %[[T2]]
// CHECK-LABEL: func.func private @fanout_stage2(
// CHECK-SAME: %[[T:[a-z0-9_]+]]: memref<4x4xf32>, %{{.*}}: memref<4x4xf32>)
// CHECK: memref.load %[[T]][%[[J:[a-z0-9]+]], %[[I:[a-z0-9]+]]]
// CHECK-NEXT: memref.load %{{.*}}[%[[I]], %[[J]]]
// CHECK-LABEL: func.func private @fanout_stage3(
// CHECK-LABEL: func.func @fanout(
// CHECK-SAME: attributes {hls.dataflow, hls.top}
// CHECK-NOT: hls.stream
// CHECK: return
func.func @fanout(%x: memref<4x4xf32>, %y: memref<4x4xf32>, %z: memref<4x4xf32>)
    attributes {hls.top} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %t = memref.alloca() : memref<4x4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      %v = memref.load %x[%i, %j] : memref<4x4xf32>
      %n = arith.negf %v : f32
      memref.store %n, %t[%i, %j] : memref<4x4xf32>
    } {hls.pipeline_ii = 1 : i64}
  }
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      %v = memref.load %t[%j, %i] : memref<4x4xf32>
      %u = memref.load %x[%i, %j] : memref<4x4xf32>
      %s = arith.addf %v, %u : f32
      memref.store %s, %y[%i, %j] : memref<4x4xf32>
    } {hls.pipeline_ii = 1 : i64}
  }
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      %v = memref.load %t[%i, %j] : memref<4x4xf32>
      %v2 = memref.load %t[%i, %j] : memref<4x4xf32>
      %s = arith.mulf %v, %v2 : f32
      memref.store %s, %z[%i, %j] : memref<4x4xf32>
    } {hls.pipeline_ii = 1 : i64}
  }
  return
}

// -----

// negative_: one loop nest has nothing to overlap.
// expected-remark @below {{loom-hls-dataflow: 'single' left as it is: it has fewer than two loop nests (nothing to overlap)}}
func.func @single(%x: memref<4xf32>, %y: memref<4xf32>) attributes {hls.top} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %x[%i] : memref<4xf32>
    memref.store %v, %y[%i] : memref<4xf32>
  }
  return
}

// -----

// negative_: a load outside the loops is not a stage.
// expected-remark @below {{loom-hls-dataflow: 'scalar' left as it is: its body has a top-level 'memref.load', not only loop nests, constants and local arrays}}
func.func @scalar(%x: memref<4xf32>, %y: memref<4xf32>) attributes {hls.top} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %s = memref.load %x[%c0] : memref<4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %s, %y[%i] : memref<4xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %y[%i] : memref<4xf32>
    memref.store %v, %y[%i] : memref<4xf32>
  }
  return
}


// -----

// negative_ stream: %t1 and %t2 join stages 0 -> 1 -> 2 elementwise, but
// stage 2 also reads %t3, a ping-pong array that stage 0 writes: stage 2
// could start only after stage 0 ended, which needs stage 1 to drain %t1,
// which needs stage 2 to drain %t2 (a deadlock with depth-2 FIFOs). The
// chain is cut before stage 2: %t1 is a stream, %t2 an array.

// CHECK-LABEL: func.func private @chain_stage0(
// CHECK-SAME: memref<4xf32>, %{{.*}}: memref<4xf32, "hls.stream">, %{{.*}}: memref<4xf32>)
// CHECK-LABEL: func.func private @chain_stage1(
// CHECK-SAME: memref<4xf32, "hls.stream">, %{{.*}}: memref<4xf32>)
// CHECK-LABEL: func.func private @chain_stage2(
// CHECK-SAME: memref<4xf32>, %{{.*}}: memref<4xf32>, %{{.*}}: memref<4xf32>)
// CHECK-LABEL: func.func @chain(
// CHECK-COUNT-1: hls.stream = 2
// CHECK-NOT: hls.stream = 2
// CHECK: return
func.func @chain(%x: memref<4xf32>, %y: memref<4xf32>) attributes {hls.top} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %t1 = memref.alloca() : memref<4xf32>
  %t2 = memref.alloca() : memref<4xf32>
  %t3 = memref.alloca() : memref<4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %x[%i] : memref<4xf32>
    memref.store %v, %t1[%i] : memref<4xf32>
    %n = arith.negf %v : f32
    memref.store %n, %t3[%i] : memref<4xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %t1[%i] : memref<4xf32>
    %a = arith.addf %v, %v : f32
    memref.store %a, %t2[%i] : memref<4xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %a = memref.load %t2[%i] : memref<4xf32>
    %b = memref.load %t3[%i] : memref<4xf32>
    %s = arith.addf %a, %b : f32
    memref.store %s, %y[%i] : memref<4xf32>
  }
  return
}
