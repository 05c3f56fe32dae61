// loom.rms_norm tiled over its token dimensions (scf.forall, tiles 1 x 2),
// and tiled (scf.for) then decomposed tile by tile into the reference lowering
// with decompose_interface. Run against the untiled op on the same seeded
// inputs; tolerance rtol 1e-5, atol 1e-6 (each row is normalised by the same
// sums; the fast path's kernels may vectorise the smaller tiles differently).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=tile_tokens -o %t/tiled.mlir
// RUN: FileCheck %s --check-prefix=TILED --input-file=%t/tiled.mlir
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=tile_tokens_decompose -o %t/decomposed.mlir
// RUN: FileCheck %s --check-prefix=DECOMPOSED --input-file=%t/decomposed.mlir
// RUN: loom-run %s --random-seed 31 --output-dir %t/untiled
// RUN: loom-run %t/tiled.mlir --random-seed 31 --compare %t/untiled/result0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: loom-run %t/decomposed.mlir --random-seed 31 --compare %t/untiled/result0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// TILED: scf.forall
// TILED: loom.rms_norm {{.*}} : (tensor<1x2x32xf32>, tensor<32xf32>) -> tensor<1x2x32xf32>
// DECOMPOSED: scf.for
// DECOMPOSED-NOT: loom.rms_norm
// DECOMPOSED: linalg.generic
// CHECK: result0: {{.*}}: ok

func.func @main(%x: tensor<2x6x32xf32>, %g: tensor<32xf32>) -> tensor<2x6x32xf32> {
  %y = loom.rms_norm %x, %g {epsilon = 1.0e-05 : f32} : (tensor<2x6x32xf32>, tensor<32xf32>) -> tensor<2x6x32xf32>
  return %y : tensor<2x6x32xf32>
}
