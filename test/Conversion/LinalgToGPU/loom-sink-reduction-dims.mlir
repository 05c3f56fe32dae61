// RUN: loom-opt %s --split-input-file --loom-sink-reduction-dims | FileCheck %s

// Loop order of linalg ops on buffers before convert-linalg-to-parallel-loops.
// Numbers are checked by test/Integration (the GPU kernel stage emulated on
// the host; softmax over axis 1 in Raising/attention.test's
// negative_softmax_axis case).

// A sum over the middle dimension: (p, r, p) becomes (p, p, r), the maps
// follow the new order.
// CHECK-DAG:   #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// CHECK-DAG:   #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @middle_sum(
// CHECK:         linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
func.func @middle_sum(%in: memref<2x5x3xf32>, %out: memref<2x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(a, r, b) -> (a, r, b)>,
                                   affine_map<(a, r, b) -> (a, b)>],
                  iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%in : memref<2x5x3xf32>) outs(%out : memref<2x3xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A named op is generalized first.
// CHECK-LABEL: func.func @named_reduce(
// CHECK-NOT:     linalg.reduce
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:           arith.maximumf
func.func @named_reduce(%in: memref<4x6xf32>, %out: memref<6xf32>) {
  linalg.reduce ins(%in : memref<4x6xf32>) outs(%out : memref<6xf32>) dimensions = [0]
    (%x: f32, %acc: f32) {
      %m = arith.maximumf %x, %acc : f32
      linalg.yield %m : f32
    }
  return
}

// -----

// Reductions already innermost: the op is left as it is (named ops stay
// named).
// CHECK-LABEL: func.func @negative_matmul(
// CHECK:         linalg.matmul
func.func @negative_matmul(%a: memref<4x6xf32>, %b: memref<6x5xf32>, %c: memref<4x5xf32>) {
  linalg.matmul ins(%a, %b : memref<4x6xf32>, memref<6x5xf32>) outs(%c : memref<4x5xf32>)
  return
}
