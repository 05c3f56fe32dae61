// Tile-and-fuse across loom ops: loom.qmatmul (int8, per channel) tiled in
// row tiles of 2 with transform.structured.fuse pulls the loom.rms_norm that
// produces its input into the loop (rms_norm's generateResultTileValue). Run
// against the untiled pair on the same inputs; tolerance rtol 1e-5, atol 1e-4:
// the fast path's qmatmul kernel sums a 2-row tile in its streaming path and the
// untiled 8 rows through dequantized panels and the GEMM, in another order
// (largest difference seen: 6.1e-5 on outputs up to ~300).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/random_ints.py %t/w.npy 16x32 -128 127 7
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=fuse_into_matmul -o %t/fused.mlir
// RUN: FileCheck %s --check-prefix=FUSED --input-file=%t/fused.mlir
// RUN: loom-run %s --input %t/w.npy --random-seed 9 --output-dir %t/untiled
// RUN: loom-run %t/fused.mlir --input %t/w.npy --random-seed 9 --compare %t/untiled/result0.npy --rtol 1e-5 --atol 1e-4 | FileCheck %s
// FUSED: scf.for
// FUSED: loom.rms_norm {{.*}} -> tensor<2x32xf32>
// FUSED: loom.qmatmul {{.*}} -> tensor<2x16xf32>
// CHECK: result0: {{.*}}: ok

func.func @main(%w: tensor<16x32xi8>, %x: tensor<8x32xf32>, %g: tensor<32xf32>,
                %s: tensor<16xf32>) -> tensor<8x16xf32> {
  %h = loom.rms_norm %x, %g {epsilon = 1.0e-05 : f32} : (tensor<8x32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  %y = loom.qmatmul %h, %w, %s : (tensor<8x32xf32>, tensor<16x32xi8>, tensor<16xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}
