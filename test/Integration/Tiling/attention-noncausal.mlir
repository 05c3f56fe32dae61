// Non-causal attention (GQA 4:2, f16, mask broadcast over batch and heads)
// tiled over heads and query positions (scf.for, tiles 2 x 2): without causal
// masking a query's position does not matter, so query tiles are exact; keys
// and values stay whole. Run against the untiled op on the same seeded
// inputs; tolerance rtol 1e-3, atol 1e-3 (f16 results; same softmax per row,
// the fast path's kernels may block the smaller tiles' sums differently).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile.mlir --transform-interpreter=entry-point=tile_attention_queries -o %t/tiled.mlir
// RUN: FileCheck %s --check-prefix=TILED --input-file=%t/tiled.mlir
// RUN: loom-run %s --random-seed 61 --output-dir %t/untiled
// RUN: loom-run %t/tiled.mlir --random-seed 61 --compare %t/untiled/result0.npy --rtol 1e-3 --atol 1e-3 | FileCheck %s
// TILED: scf.for
// TILED: scf.for
// TILED: loom.attention {{.*}} : (tensor<1x2x2x16xf16>, tensor<1x1x6x16xf16>, tensor<1x1x6x16xf16>, tensor<1x1x2x6xf16>) -> tensor<1x2x2x16xf16>
// CHECK: result0: {{.*}}: ok

func.func @main(%q: tensor<1x4x4x16xf16>, %k: tensor<1x2x6x16xf16>, %v: tensor<1x2x6x16xf16>,
                %m: tensor<1x1x4x6xf16>) -> tensor<1x4x4x16xf16> {
  %o = loom.attention %q, %k, %v mask(%m)
      : (tensor<1x4x4x16xf16>, tensor<1x2x6x16xf16>, tensor<1x2x6x16xf16>, tensor<1x1x4x6xf16>)
      -> tensor<1x4x4x16xf16>
  return %o : tensor<1x4x4x16xf16>
}
