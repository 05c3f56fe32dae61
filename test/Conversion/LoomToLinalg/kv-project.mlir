// RUN: loom-opt %s -split-input-file --convert-loom-to-linalg | FileCheck %s

// loom.kv.project: one contraction over the head dim (projecting) or the rank
// (reconstructing), query heads mapped to their basis head by floordiv.

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[PROJ:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1 floordiv 2, d4, d3)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @project
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[PROJ]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK: -> tensor<1x4x2x4xf32>
func.func @project(%q: tensor<1x4x2x16xf32>, %p: tensor<2x16x4xf32>) -> tensor<1x4x2x4xf32> {
  %r = loom.kv.project %q, %p : tensor<1x4x2x16xf32>, tensor<2x16x4xf32> -> tensor<1x4x2x4xf32>
  return %r : tensor<1x4x2x4xf32>
}

// -----

// Reconstructing reads the basis transposed; f16 accumulates in f32.

// CHECK-DAG: #[[RECON:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d4)>
// CHECK-LABEL: func.func @reconstruct
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[RECON]], #{{.*}}]
// CHECK: -> tensor<1x2x2x16xf32>
// CHECK: arith.truncf
// CHECK: -> tensor<1x2x2x16xf16>
func.func @reconstruct(%o: tensor<1x2x2x4xf16>, %p: tensor<2x16x4xf16>) -> tensor<1x2x2x16xf16> {
  %r = loom.kv.project %o, %p {reconstruct} : tensor<1x2x2x4xf16>, tensor<2x16x4xf16> -> tensor<1x2x2x16xf16>
  return %r : tensor<1x2x2x16xf16>
}
