// RUN: loom-opt %s --split-input-file --convert-parallel-loops-to-cpu-pool | FileCheck %s
// RUN: loom-opt %s --split-input-file --convert-parallel-loops-to-cpu-pool="min-work=100000000" | FileCheck %s --check-prefix=HIGH

// A 1 x 512 x 256 elementwise nest: the batch dimension of 1 runs whole and
// dimension 1 is split. The loop becomes a call of loom_parallel_for (512
// iterations, grain 65536 / (256 x 4 ops) = 64) on an outlined body of the
// pool's type; the buffers travel as descriptors in a stack struct allocated
// at function entry, the scalar as itself, the constants are cloned.
// CHECK:       func.func private @loom_parallel_for(i64, i64, !llvm.ptr, !llvm.ptr)
// CHECK-LABEL: func.func @scale(
// CHECK-SAME:    %[[X:.*]]: memref<1x512x256xf32>, %[[Y:.*]]: memref<1x512x256xf32>, %[[S:.*]]: f32)
// CHECK:         %[[ONE:.*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK:         %[[CTX:.*]] = llvm.alloca %[[ONE]] x !llvm.struct<(struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)>, f32, struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)>)>
// CHECK:         %[[XD:.*]] = builtin.unrealized_conversion_cast %[[X]] : memref<1x512x256xf32> to !llvm.struct
// CHECK:         %[[F0:.*]] = llvm.getelementptr %[[CTX]][0, 0]
// CHECK:         llvm.store %[[XD]], %[[F0]]
// CHECK:         %[[F1:.*]] = llvm.getelementptr %[[CTX]][0, 1]
// CHECK:         llvm.store %[[S]], %[[F1]] : f32, !llvm.ptr
// CHECK:         %[[YD:.*]] = builtin.unrealized_conversion_cast %[[Y]] : memref<1x512x256xf32> to !llvm.struct
// CHECK:         llvm.getelementptr %[[CTX]][0, 2]
// CHECK:         %[[FN:.*]] = constant @__loom_parallel_0 : (!llvm.ptr, i64, i64, i32) -> ()
// CHECK:         %[[FP:.*]] = builtin.unrealized_conversion_cast %[[FN]] : (!llvm.ptr, i64, i64, i32) -> () to !llvm.ptr
// CHECK-DAG:     %[[N:.*]] = arith.constant 512 : i64
// CHECK-DAG:     %[[GRAIN:.*]] = arith.constant 64 : i64
// CHECK:         call @loom_parallel_for(%[[N]], %[[GRAIN]], %[[FP]], %[[CTX]]) : (i64, i64, !llvm.ptr, !llvm.ptr) -> ()
// CHECK-NOT:     scf.parallel
// CHECK:         return
// CHECK:       func.func private @__loom_parallel_0(%[[C:.*]]: !llvm.ptr, %[[B:.*]]: i64, %[[E:.*]]: i64, %{{.*}}: i32)
// CHECK:         llvm.load {{.*}} : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)>
// CHECK:         builtin.unrealized_conversion_cast {{.*}} to memref<1x512x256xf32>
// CHECK:         llvm.load {{.*}} : !llvm.ptr -> f32
// CHECK:         %[[BI:.*]] = arith.index_cast %[[B]] : i64 to index
// CHECK:         %[[EI:.*]] = arith.index_cast %[[E]] : i64 to index
// CHECK:         %[[LB:.*]] = arith.addi
// CHECK:         %[[UB:.*]] = arith.minsi
// CHECK:         scf.parallel ({{.*}}) = ({{.*}}, %[[LB]], {{.*}}) to ({{.*}}, %[[UB]], {{.*}})
// CHECK:           arith.mulf
// CHECK:         return
// HIGH-LABEL: func.func @scale(
// HIGH:         scf.parallel
// HIGH-NOT:     loom_parallel_for
func.func @scale(%x: memref<1x512x256xf32>, %y: memref<1x512x256xf32>, %s: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  %c512 = arith.constant 512 : index
  scf.parallel (%b, %i, %j) = (%c0, %c0, %c0) to (%c1, %c512, %c256) step (%c1, %c1, %c1) {
    %v = memref.load %x[%b, %i, %j] : memref<1x512x256xf32>
    %w = arith.mulf %v, %s : f32
    memref.store %w, %y[%b, %i, %j] : memref<1x512x256xf32>
    scf.reduce
  }
  return
}

// -----

// A reduction row by row (the inner scf.for runs in one order per row):
// outlined, with the work of the inner loop counted (2048 rows x 1024
// iterations). The index value travels as i64.
// CHECK-LABEL: func.func @row_sums(
// CHECK:         arith.index_cast %{{.*}} : index to i64
// CHECK:         call @loom_parallel_for
// CHECK:       func.func private @__loom_parallel_0(
// CHECK:         arith.index_cast %{{.*}} : i64 to index
// CHECK:         scf.parallel
// CHECK:           scf.for
func.func @row_sums(%x: memref<2048x1024xf32>, %y: memref<2048xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1024 = arith.constant 1024 : index
  %c2048 = arith.constant 2048 : index
  scf.parallel (%i) = (%c0) to (%c2048) step (%c1) {
    %init = memref.load %y[%i] : memref<2048xf32>
    %sum = scf.for %j = %c0 to %c1024 step %c1 iter_args(%acc = %init) -> (f32) {
      %jn = arith.minsi %j, %n : index
      %v = memref.load %x[%i, %jn] : memref<2048x1024xf32>
      %a = arith.addf %acc, %v : f32
      scf.yield %a : f32
    }
    memref.store %sum, %y[%i] : memref<2048xf32>
    scf.reduce
  }
  return
}

// -----

// Left serial: too little work, a dynamic bound, a loop with results, and a
// nested loop (only the outermost loop is considered; this one is small).
// CHECK-LABEL: func.func @serial(
// CHECK-NOT:     loom_parallel_for
// CHECK-COUNT-3: scf.parallel
// CHECK-NOT:     loom_parallel_for
func.func @serial(%x: memref<64x64xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c1, %c1) {
    memref.store %zero, %x[%i, %j] : memref<64x64xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c64) step (%c1) {
      memref.store %zero, %x[%i, %j] : memref<64x64xf32>
      scf.reduce
    }
    scf.reduce
  }
  %s = scf.parallel (%i) = (%c0) to (%c64) step (%c1) init (%zero) -> f32 {
    %v = memref.load %x[%i, %i] : memref<64x64xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %r = arith.addf %a, %b : f32
      scf.reduce.return %r : f32
    }
  }
  return %s : f32
}
