// RUN: loom-opt %s --split-input-file --verify-diagnostics --loom-collapse-parallel-loops --canonicalize | FileCheck %s

// Outermost parallel loops become one-dimensional, the innermost dimension
// varying fastest (consecutive threads on consecutive elements). Numbers are
// checked by test/Integration (the GPU kernel stage emulated on the host).

// CHECK-LABEL: func.func @rank3(
// CHECK-DAG:     %[[C24:.*]] = arith.constant 24 : index
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK:         scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[C24]]) step (%{{.*}}) {
// CHECK:           %[[K:.*]] = arith.remsi %[[I]], %[[C4]] : index
// CHECK:           %[[Q:.*]] = arith.divsi %[[I]], %[[C4]] : index
// CHECK:           %[[J:.*]] = arith.remsi %[[Q]], %[[C3]] : index
// CHECK:           %[[II:.*]] = arith.divsi %[[Q]], %[[C3]] : index
// CHECK:           memref.store %{{.*}}, %{{.*}}[%[[II]], %[[J]], %[[K]]]
func.func @rank3(%out: memref<2x3x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c2, %c3, %c4) step (%c1, %c1, %c1) {
    memref.store %zero, %out[%i, %j, %k] : memref<2x3x4xf32>
    scf.reduce
  }
  return
}

// -----

// One dimension already, or a reduction: left alone.
// CHECK-LABEL: func.func @negative_forms(
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step
// CHECK:         scf.parallel (%{{.*}}, %{{.*}}) = (%{{.*}}, %{{.*}}) to (%{{.*}}, %{{.*}}) step (%{{.*}}, %{{.*}}) init
func.func @negative_forms(%out: memref<8xf32>, %in: memref<2x2xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    memref.store %zero, %out[%i] : memref<8xf32>
    scf.reduce
  }
  %sum = scf.parallel (%i, %j) = (%c0, %c0) to (%c2, %c2) step (%c1, %c1) init (%zero) -> f32 {
    %x = memref.load %in[%i, %j] : memref<2x2xf32>
    scf.reduce(%x : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return %sum : f32
}

// -----

// A parallel loop inside another would get threads that also run the outer
// loop's sequential parts.
func.func @nested(%out: memref<2x3x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @below {{contains another scf.parallel, which the GPU mapping cannot give threads of its own}}
  scf.parallel (%i) = (%c0) to (%c2) step (%c1) {
    scf.for %j = %c0 to %c3 step %c1 {
      scf.parallel (%k) = (%c0) to (%c4) step (%c1) {
        memref.store %zero, %out[%i, %j, %k] : memref<2x3x4xf32>
        scf.reduce
      }
    }
    scf.reduce
  }
  return
}
