// loom.rope (rotate-half, partial rotary: 8 of 12 channels) tiled over batch
// and heads (scf.forall, tiles 1 x 2), and tiled then decomposed with
// decompose_interface. The tables [B,1,S,8] broadcast over the heads, so only
// their batch follows the tile. Run against the untiled op on the same seeded
// inputs; tolerance rtol 1e-5, atol 1e-6 (same products and sums per element).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=tile_tokens -o %t/tiled.mlir
// RUN: FileCheck %s --check-prefix=TILED --input-file=%t/tiled.mlir
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=tile_tokens_decompose -o %t/decomposed.mlir
// RUN: loom-run %s --random-seed 41 --output-dir %t/untiled
// RUN: loom-run %t/tiled.mlir --random-seed 41 --compare %t/untiled/result0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: loom-run %t/decomposed.mlir --random-seed 41 --compare %t/untiled/result0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// TILED: scf.forall
// TILED: loom.rope {{.*}} : (tensor<1x2x6x12xf32>, tensor<1x1x6x8xf32>, tensor<1x1x6x8xf32>) -> tensor<1x2x6x12xf32>
// CHECK: result0: {{.*}}: ok

func.func @main(%x: tensor<2x4x6x12xf32>, %c: tensor<2x1x6x8xf32>, %s: tensor<2x1x6x8xf32>) -> tensor<2x4x6x12xf32> {
  %y = loom.rope %x, %c, %s : (tensor<2x4x6x12xf32>, tensor<2x1x6x8xf32>, tensor<2x1x6x8xf32>) -> tensor<2x4x6x12xf32>
  return %y : tensor<2x4x6x12xf32>
}
