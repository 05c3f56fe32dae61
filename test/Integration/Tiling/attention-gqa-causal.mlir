// Causal GQA attention (8 query heads, 2 kv heads, sliding window 3 with one
// sink, Sq 4 < Skv 6 so queries sit at positions 2..5) with a mask that
// broadcasts over the batch, tiled per batch and pair of query heads
// (scf.forall: a tile inside one GQA group reads one kv head) and per batch and
// group of 4 heads (scf.for). Query positions are never tiled (causal), so
// they stay exact. Run against the untiled op on the same seeded inputs;
// tolerance rtol 1e-5, atol 1e-6 (same softmax per row; the fast path's kernels
// may block the smaller tiles' sums differently).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=tile_attention_heads -o %t/heads.mlir
// RUN: FileCheck %s --check-prefix=HEADS --input-file=%t/heads.mlir
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=tile_attention_groups -o %t/groups.mlir
// RUN: FileCheck %s --check-prefix=GROUPS --input-file=%t/groups.mlir
// RUN: loom-run %s --random-seed 51 --output-dir %t/untiled
// RUN: loom-run %t/heads.mlir --random-seed 51 --compare %t/untiled/result0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: loom-run %t/groups.mlir --random-seed 51 --compare %t/untiled/result0.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s
// HEADS: scf.forall
// HEADS: loom.attention {{.*}} : (tensor<1x2x4x16xf32>, tensor<1x1x6x16xf32>, tensor<1x1x6x8xf32>, tensor<1x2x4x6xf32>) -> tensor<1x2x4x8xf32>
// GROUPS: scf.for
// GROUPS: loom.attention {{.*}} : (tensor<1x4x4x16xf32>, tensor<1x1x6x16xf32>, tensor<1x1x6x8xf32>, tensor<1x4x4x6xf32>) -> tensor<1x4x4x8xf32>
// CHECK: result0: {{.*}}: ok

func.func @main(%q: tensor<2x8x4x16xf32>, %k: tensor<2x2x6x16xf32>, %v: tensor<2x2x6x8xf32>,
                %m: tensor<1x8x4x6xf32>) -> tensor<2x8x4x8xf32> {
  %o = loom.attention %q, %k, %v mask(%m) {causal, window = 3, sinks = 1}
      : (tensor<2x8x4x16xf32>, tensor<2x2x6x16xf32>, tensor<2x2x6x8xf32>, tensor<1x8x4x6xf32>)
      -> tensor<2x8x4x8xf32>
  return %o : tensor<2x8x4x8xf32>
}
