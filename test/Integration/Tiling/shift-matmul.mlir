// loom.shift_matmul (float input) tiled over M and N (scf.for) and over N
// (scf.forall): signs and exponents are sliced along N. Run against the
// untiled op on the same inputs; tolerance rtol 1e-5, atol 1e-6 (same sums per
// element; the fast path's kernels may block them differently).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/random_ints.py %t/s.npy 16x48 -1 1 21
// RUN: %python %S/Inputs/random_ints.py %t/p.npy 16x48 -8 7 22
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=tile_matmul_for -o %t/for.mlir
// RUN: FileCheck %s --check-prefix=FOR --input-file=%t/for.mlir
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=tile_matmul_forall -o %t/forall.mlir
// RUN: loom-run %s --input %t/s.npy --input %t/p.npy --random-seed 23 --output-dir %t/untiled
// RUN: loom-run %t/for.mlir --input %t/s.npy --input %t/p.npy --random-seed 23 --compare %t/untiled/result0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: loom-run %t/forall.mlir --input %t/s.npy --input %t/p.npy --random-seed 23 --compare %t/untiled/result0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// FOR: scf.for
// FOR: loom.shift_matmul {{.*}} : (tensor<2x48xf32>, tensor<8x48xi8>, tensor<8x48xi8>) -> tensor<2x8xf32>
// CHECK: result0: {{.*}}: ok

func.func @main(%s: tensor<16x48xi8>, %p: tensor<16x48xi8>, %x: tensor<4x48xf32>) -> tensor<4x16xf32> {
  %y = loom.shift_matmul %x, %s, %p
      : (tensor<4x48xf32>, tensor<16x48xi8>, tensor<16x48xi8>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
