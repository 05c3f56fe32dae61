// loom.bcq_matmul tiled over M and N (scf.for) and over N (scf.forall): the
// bit planes [q,N,K/8] and scale exponents [q,N,K/g] are sliced along N. Run
// against the untiled op on the same inputs; tolerance rtol 1e-5, atol 1e-6
// (same sums per element; the fast path's kernels may block them differently).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/random_ints.py %t/p.npy 3x16x8 -128 127 11
// RUN: %python %S/Inputs/random_ints.py %t/e.npy 3x16x2 -4 3 12
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=tile_matmul_for -o %t/for.mlir
// RUN: FileCheck %s --check-prefix=FOR --input-file=%t/for.mlir
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=tile_matmul_forall -o %t/forall.mlir
// RUN: loom-run %s --input %t/p.npy --input %t/e.npy --random-seed 13 --output-dir %t/untiled
// RUN: loom-run %t/for.mlir --input %t/p.npy --input %t/e.npy --random-seed 13 --compare %t/untiled/result0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: loom-run %t/forall.mlir --input %t/p.npy --input %t/e.npy --random-seed 13 --compare %t/untiled/result0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// FOR: scf.for
// FOR: loom.bcq_matmul {{.*}} : (tensor<2x64xf32>, tensor<3x8x8xi8>, tensor<3x8x2xi8>) -> tensor<2x8xf32>
// CHECK: result0: {{.*}}: ok

func.func @main(%p: tensor<3x16x8xi8>, %e: tensor<3x16x2xi8>, %x: tensor<4x64xf32>) -> tensor<4x16xf32> {
  %y = loom.bcq_matmul %x, %p, %e {group_size = 32}
      : (tensor<4x64xf32>, tensor<3x16x8xi8>, tensor<3x16x2xi8>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
