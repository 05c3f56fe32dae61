// loom.qmatmul (packed int4, groups of 16, asymmetric) tiled over M and N
// (scf.for) and over N (scf.forall): the packed weight, the group scales and
// the zero points are sliced per N tile. Run against the untiled op on the
// same inputs (int8 data from Inputs/random_ints.py, floats from the seed).
// Each output element is the same sum over K in both, so the reference path
// agrees bit for bit; the tolerance (rtol 1e-5, atol 1e-6) leaves room for the
// fast path's kernels, which may block the smaller tiles' sums differently.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/random_ints.py %t/w.npy 24x32 -128 127 1
// RUN: %python %S/Inputs/random_ints.py %t/z.npy 24x4 -8 7 2
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=tile_matmul_for -o %t/for.mlir
// RUN: FileCheck %s --check-prefix=FOR --input-file=%t/for.mlir
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=tile_matmul_forall -o %t/forall.mlir
// RUN: FileCheck %s --check-prefix=FORALL --input-file=%t/forall.mlir
// RUN: loom-run %s --input %t/w.npy --input %t/z.npy --random-seed 5 --output-dir %t/untiled
// RUN: loom-run %t/for.mlir --input %t/w.npy --input %t/z.npy --random-seed 5 --compare %t/untiled/result0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: loom-run %t/forall.mlir --input %t/w.npy --input %t/z.npy --random-seed 5 --compare %t/untiled/result0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// FOR: scf.for
// FOR: loom.qmatmul {{.*}} : (tensor<2x64xf32>, tensor<8x32xi8>, tensor<8x4xf32>, tensor<8x4xi8>) -> tensor<2x8xf32>
// FORALL: scf.forall
// FORALL: loom.qmatmul {{.*}} : (tensor<6x64xf32>, tensor<8x32xi8>, tensor<8x4xf32>, tensor<8x4xi8>) -> tensor<6x8xf32>
// CHECK: result0: {{.*}}: ok

func.func @main(%w: tensor<24x32xi8>, %z: tensor<24x4xi8>, %x: tensor<6x64xf32>,
                %s: tensor<24x4xf32>) -> tensor<6x24xf32> {
  %y = loom.qmatmul %x, %w, %s, %z {bits = 4, group_size = 16}
      : (tensor<6x64xf32>, tensor<24x32xi8>, tensor<24x4xf32>, tensor<24x4xi8>) -> tensor<6x24xf32>
  return %y : tensor<6x24xf32>
}
