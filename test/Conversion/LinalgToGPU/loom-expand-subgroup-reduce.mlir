// RUN: loom-opt %s --pass-pipeline='builtin.module(gpu.module(loom-expand-subgroup-reduce))' | FileCheck %s

// A warp's sum as five butterfly shuffles over 32 lanes (xor 1, 2, 4, 8, 16),
// each followed by the combining op. What the shuffles compute on a GPU is not
// checked here (no GPU); ptxas accepts them (test/Pipelines/GPU/).
// CHECK-LABEL: gpu.func @k(
// CHECK-NOT:     gpu.subgroup_reduce
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : i32
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : i32
// CHECK:         %[[S1:.*]], %{{.*}} = gpu.shuffle  xor %[[V:.*]], %[[C1]], %[[C32]] : f32
// CHECK:         %[[A1:.*]] = arith.addf %[[V]], %[[S1]] : f32
// CHECK-COUNT-4: gpu.shuffle  xor
// CHECK:         memref.store
gpu.module @m {
  gpu.func @k(%x: memref<32xf32>) kernel {
    %t = gpu.thread_id x
    %v = memref.load %x[%t] : memref<32xf32>
    %r = gpu.subgroup_reduce add %v uniform : (f32) -> f32
    memref.store %r, %x[%t] : memref<32xf32>
    gpu.return
  }
}
