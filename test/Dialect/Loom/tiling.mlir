// RUN: loom-opt %s --transform-interpreter -split-input-file -canonicalize -cse | FileCheck %s

// TilingInterface and AggregatedOpInterface on the loom compute ops: upstream
// tile_using_for / tile_using_forall / fuse / fuse_into_containing_op and
// decompose_interface apply to them directly. Refused tiles are in
// tiling-invalid.mlir; every op's tiling is checked by execution in
// test/Integration/Tiling.

// qmatmul tiles M and N; the packed int4 weight, the group scales and the zero
// points are sliced along N only (K stays whole).
// CHECK-LABEL: func.func @qmatmul_tile_for
// CHECK-SAME: (%[[X:[a-zA-Z0-9_]+]]: tensor<8x64xf32>, %[[W:[a-zA-Z0-9_]+]]: tensor<32x32xi8>, %[[S:[a-zA-Z0-9_]+]]: tensor<32x2xf32>, %[[Z:[a-zA-Z0-9_]+]]: tensor<32x2xi8>)
// CHECK: scf.for %[[M:[a-zA-Z0-9_]+]] =
// CHECK: scf.for %[[N:[a-zA-Z0-9_]+]] =
// CHECK-DAG: %[[XS:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[X]][%[[M]], 0] [4, 64] [1, 1]
// CHECK-DAG: %[[WS:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[W]][%[[N]], 0] [16, 32] [1, 1]
// CHECK-DAG: %[[SS:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[S]][%[[N]], 0] [16, 2] [1, 1]
// CHECK-DAG: %[[ZS:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[Z]][%[[N]], 0] [16, 2] [1, 1]
// CHECK: %[[Y:[a-zA-Z0-9_]+]] = loom.qmatmul %[[XS]], %[[WS]], %[[SS]], %[[ZS]] {bits = 4 : i64, group_size = 32 : i64} : (tensor<4x64xf32>, tensor<16x32xi8>, tensor<16x2xf32>, tensor<16x2xi8>) -> tensor<4x16xf32>
// CHECK: tensor.insert_slice %[[Y]] into %{{.*}}[%[[M]], %[[N]]] [4, 16] [1, 1]
func.func @qmatmul_tile_for(%x: tensor<8x64xf32>, %w: tensor<32x32xi8>, %s: tensor<32x2xf32>, %z: tensor<32x2xi8>) -> tensor<8x32xf32> {
  %y = loom.qmatmul %x, %w, %s, %z {bits = 4, group_size = 32}
      : (tensor<8x64xf32>, tensor<32x32xi8>, tensor<32x2xf32>, tensor<32x2xi8>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.qmatmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops:2 = transform.structured.tile_using_for %op tile_sizes [4, 16, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// bcq_matmul: planes [q,N,K/8] and scale exponents [q,N,K/g] are sliced along
// their N dimension (1).
// CHECK-LABEL: func.func @bcq_matmul_tile_forall
// CHECK-SAME: (%[[X:[a-zA-Z0-9_]+]]: tensor<4x64xf32>, %[[P:[a-zA-Z0-9_]+]]: tensor<3x32x8xi8>, %[[E:[a-zA-Z0-9_]+]]: tensor<3x32x2xi8>)
// CHECK: scf.forall (%[[I:[a-zA-Z0-9_]+]]) in (2)
// CHECK: %[[N:[a-zA-Z0-9_]+]] = affine.apply #{{.*}}(%[[I]])
// CHECK-DAG: %[[PS:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[P]][0, %[[N]], 0] [3, 16, 8] [1, 1, 1]
// CHECK-DAG: %[[ES:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[E]][0, %[[N]], 0] [3, 16, 2] [1, 1, 1]
// CHECK: loom.bcq_matmul %[[X]], %[[PS]], %[[ES]] {group_size = 32 : i64} : (tensor<4x64xf32>, tensor<3x16x8xi8>, tensor<3x16x2xi8>) -> tensor<4x16xf32>
// CHECK: tensor.parallel_insert_slice
func.func @bcq_matmul_tile_forall(%x: tensor<4x64xf32>, %p: tensor<3x32x8xi8>, %e: tensor<3x32x2xi8>) -> tensor<4x32xf32> {
  %y = loom.bcq_matmul %x, %p, %e {group_size = 32}
      : (tensor<4x64xf32>, tensor<3x32x8xi8>, tensor<3x32x2xi8>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.bcq_matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops = transform.structured.tile_using_forall %op tile_sizes [0, 16] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// CHECK-LABEL: func.func @shift_matmul_tile_for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: loom.shift_matmul %{{.*}}, %{{.*}}, %{{.*}} {frac_bits = 8 : i64} : (tensor<2x64xi16>, tensor<8x64xi8>, tensor<8x64xi8>) -> tensor<2x8xi32>
func.func @shift_matmul_tile_for(%x: tensor<4x64xi16>, %s: tensor<32x64xi8>, %p: tensor<32x64xi8>) -> tensor<4x32xi32> {
  %y = loom.shift_matmul %x, %s, %p {frac_bits = 8}
      : (tensor<4x64xi16>, tensor<32x64xi8>, tensor<32x64xi8>) -> tensor<4x32xi32>
  return %y : tensor<4x32xi32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.shift_matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops:2 = transform.structured.tile_using_for %op tile_sizes [2, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// CHECK-LABEL: func.func @adder_matmul_tile_forall
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (2, 4)
// CHECK: loom.adder_matmul %{{.*}}, %{{.*}} : (tensor<2x64xf32>, tensor<8x64xf32>) -> tensor<2x8xf32>
func.func @adder_matmul_tile_forall(%x: tensor<4x64xf32>, %w: tensor<32x64xf32>) -> tensor<4x32xf32> {
  %y = loom.adder_matmul %x, %w : (tensor<4x64xf32>, tensor<32x64xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.adder_matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops = transform.structured.tile_using_forall %op tile_sizes [2, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// rms_norm tiles the token dimensions; the normalised axis and the weight stay
// whole.
// CHECK-LABEL: func.func @rms_norm_tile_for
// CHECK-SAME: (%[[X:[a-zA-Z0-9_]+]]: tensor<2x16x32xf32>, %[[W:[a-zA-Z0-9_]+]]: tensor<32xf32>)
// CHECK: scf.for %[[B:[a-zA-Z0-9_]+]] =
// CHECK: scf.for %[[S:[a-zA-Z0-9_]+]] =
// CHECK: %[[XS:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[X]][%[[B]], %[[S]], 0] [1, 4, 32] [1, 1, 1]
// CHECK: loom.rms_norm %[[XS]], %[[W]] {epsilon = 9.99999997E-7 : f32} : (tensor<1x4x32xf32>, tensor<32xf32>) -> tensor<1x4x32xf32>
func.func @rms_norm_tile_for(%x: tensor<2x16x32xf32>, %w: tensor<32xf32>) -> tensor<2x16x32xf32> {
  %y = loom.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : (tensor<2x16x32xf32>, tensor<32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.rms_norm"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops:2 = transform.structured.tile_using_for %op tile_sizes [1, 4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// rope: the tables broadcast over the heads (size 1), so their head dimension
// is not sliced; their sequence dimension follows the tile.
// CHECK-LABEL: func.func @rope_tile_forall
// CHECK-SAME: (%[[X:[a-zA-Z0-9_]+]]: tensor<1x8x16x16xf32>, %[[C:[a-zA-Z0-9_]+]]: tensor<1x1x16x16xf32>, %[[S:[a-zA-Z0-9_]+]]: tensor<1x1x16x16xf32>)
// CHECK: scf.forall (%[[H:[a-zA-Z0-9_]+]], %[[P:[a-zA-Z0-9_]+]]) in (4, 2)
// CHECK-DAG: %[[HO:[a-zA-Z0-9_]+]] = affine.apply #{{.*}}(%[[H]])
// CHECK-DAG: %[[PO:[a-zA-Z0-9_]+]] = affine.apply #{{.*}}(%[[P]])
// CHECK-DAG: %[[XS:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[X]][0, %[[HO]], %[[PO]], 0] [1, 2, 8, 16] [1, 1, 1, 1]
// CHECK-DAG: %[[CS:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[C]][0, 0, %[[PO]], 0] [1, 1, 8, 16] [1, 1, 1, 1]
// CHECK-DAG: %[[SS:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[S]][0, 0, %[[PO]], 0] [1, 1, 8, 16] [1, 1, 1, 1]
// CHECK: loom.rope %[[XS]], %[[CS]], %[[SS]] {interleaved} : (tensor<1x2x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>) -> tensor<1x2x8x16xf32>
func.func @rope_tile_forall(%x: tensor<1x8x16x16xf32>, %c: tensor<1x1x16x16xf32>, %s: tensor<1x1x16x16xf32>) -> tensor<1x8x16x16xf32> {
  %y = loom.rope %x, %c, %s {interleaved} : (tensor<1x8x16x16xf32>, tensor<1x1x16x16xf32>, tensor<1x1x16x16xf32>) -> tensor<1x8x16x16xf32>
  return %y : tensor<1x8x16x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.rope"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops = transform.structured.tile_using_forall %op tile_sizes [0, 2, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Causal GQA attention (8 query heads, 2 kv heads): a tile of 2 query heads
// lies inside one group of 4 and reads kv head h / 4; the mask broadcasts over
// the batch (size 1) and follows the heads. Query positions stay whole.
// CHECK: #[[$HALF:.*]] = affine_map<(d0) -> (d0 floordiv 2)>
// CHECK-LABEL: func.func @attention_gqa_tile_forall
// CHECK-SAME: (%[[Q:[a-zA-Z0-9_]+]]: tensor<2x8x4x16xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<2x2x6x16xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<2x2x6x16xf32>, %[[MASK:[a-zA-Z0-9_]+]]: tensor<1x8x4x6xf32>)
// CHECK: scf.forall (%[[B:[a-zA-Z0-9_]+]], %[[H:[a-zA-Z0-9_]+]]) in (2, 4)
// CHECK-DAG: %[[HO:[a-zA-Z0-9_]+]] = affine.apply #{{.*}}(%[[H]])
// CHECK-DAG: %[[KVH:[a-zA-Z0-9_]+]] = affine.apply #[[$HALF]](%[[H]])
// CHECK-DAG: %[[QS:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[Q]][%[[B]], %[[HO]], 0, 0] [1, 2, 4, 16] [1, 1, 1, 1]
// CHECK-DAG: %[[KS:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[K]][%[[B]], %[[KVH]], 0, 0] [1, 1, 6, 16] [1, 1, 1, 1]
// CHECK-DAG: %[[VS:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[V]][%[[B]], %[[KVH]], 0, 0] [1, 1, 6, 16] [1, 1, 1, 1]
// CHECK-DAG: %[[MS:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[MASK]][0, %[[HO]], 0, 0] [1, 2, 4, 6] [1, 1, 1, 1]
// CHECK: loom.attention %[[QS]], %[[KS]], %[[VS]] mask(%[[MS]]) {causal} : (tensor<1x2x4x16xf32>, tensor<1x1x6x16xf32>, tensor<1x1x6x16xf32>, tensor<1x2x4x6xf32>) -> tensor<1x2x4x16xf32>
func.func @attention_gqa_tile_forall(%q: tensor<2x8x4x16xf32>, %k: tensor<2x2x6x16xf32>, %v: tensor<2x2x6x16xf32>, %m: tensor<1x8x4x6xf32>) -> tensor<2x8x4x16xf32> {
  %o = loom.attention %q, %k, %v mask(%m) {causal}
      : (tensor<2x8x4x16xf32>, tensor<2x2x6x16xf32>, tensor<2x2x6x16xf32>, tensor<1x8x4x6xf32>) -> tensor<2x8x4x16xf32>
  return %o : tensor<2x8x4x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops = transform.structured.tile_using_forall %op tile_sizes [1, 2, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Without causal masking the query positions do not matter, so the query
// sequence is tiled too; keys and values stay whole.
// CHECK-LABEL: func.func @attention_noncausal_tile_queries
// CHECK: scf.for
// CHECK: loom.attention %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x4x2x16xf32>, tensor<1x4x6x16xf32>, tensor<1x4x6x16xf32>) -> tensor<1x4x2x16xf32>
func.func @attention_noncausal_tile_queries(%q: tensor<1x4x4x16xf32>, %k: tensor<1x4x6x16xf32>, %v: tensor<1x4x6x16xf32>) -> tensor<1x4x4x16xf32> {
  %o = loom.attention %q, %k, %v
      : (tensor<1x4x4x16xf32>, tensor<1x4x6x16xf32>, tensor<1x4x6x16xf32>) -> tensor<1x4x4x16xf32>
  return %o : tensor<1x4x4x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops = transform.structured.tile_using_for %op tile_sizes [0, 0, 2] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Tile-and-fuse: tiling the qmatmul consumer along M pulls the rms_norm that
// produces its input into the loop (generateResultTileValue), on the same
// rows.
// CHECK-LABEL: func.func @fuse_rms_norm_into_qmatmul
// CHECK-SAME: (%[[X:[a-zA-Z0-9_]+]]: tensor<8x64xf32>,
// CHECK: scf.for %[[M:[a-zA-Z0-9_]+]] =
// CHECK: %[[XS:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[X]][%[[M]], 0] [2, 64] [1, 1]
// CHECK: %[[H:[a-zA-Z0-9_]+]] = loom.rms_norm %[[XS]] {epsilon = {{.*}}} : (tensor<2x64xf32>) -> tensor<2x64xf32>
// CHECK: loom.qmatmul %[[H]], %{{.*}}, %{{.*}} : (tensor<2x64xf32>, tensor<32x64xi8>, tensor<32xf32>) -> tensor<2x32xf32>
func.func @fuse_rms_norm_into_qmatmul(%x: tensor<8x64xf32>, %w: tensor<32x64xi8>, %s: tensor<32xf32>) -> tensor<8x32xf32> {
  %h = loom.rms_norm %x {epsilon = 1.0e-05 : f32} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  %y = loom.qmatmul %h, %w, %s : (tensor<8x64xf32>, tensor<32x64xi8>, tensor<32xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.qmatmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops = transform.structured.fuse %op tile_sizes [2, 0, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// fuse_into_containing_op: a linalg consumer tiled over the rotated axis pulls
// in the rope producer; rope computes its whole last axis for the tile's rows,
// then the consumer's columns are sliced out of it.
// CHECK-LABEL: func.func @fuse_rope_into_linalg_forall
// CHECK: scf.forall (%[[I:[a-zA-Z0-9_]+]], %[[J:[a-zA-Z0-9_]+]]) in (4, 2)
// CHECK: %[[R:[a-zA-Z0-9_]+]] = loom.rope %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>) -> tensor<1x1x8x16xf32>
// CHECK: %[[RS:[a-zA-Z0-9_]+]] = tensor.extract_slice %[[R]][0, 0, 0, %{{.*}}] [1, 1, 8, 8] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[RS]] : tensor<1x1x8x8xf32>)
func.func @fuse_rope_into_linalg_forall(%x: tensor<1x4x8x16xf32>, %c: tensor<1x1x8x16xf32>, %s: tensor<1x1x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %r = loom.rope %x, %c, %s : (tensor<1x4x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>) -> tensor<1x4x8x16xf32>
  %init = tensor.empty() : tensor<1x4x8x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%r : tensor<1x4x8x16xf32>) outs(%init : tensor<1x4x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %sq = arith.mulf %in, %in : f32
    linalg.yield %sq : f32
  } -> tensor<1x4x8x16xf32>
  return %y : tensor<1x4x8x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %consumer = transform.structured.match ops{["linalg.generic"]} in %root : (!transform.any_op) -> !transform.any_op
    %rope = transform.structured.match ops{["loom.rope"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %forall = transform.structured.tile_using_forall %consumer tile_sizes [0, 1, 0, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %fused, %new_forall = transform.structured.fuse_into_containing_op %rope into %forall : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// decompose_interface on a tiled loom op: the reference lowering of the tile.
// CHECK-LABEL: func.func @decompose_tiled_rms_norm
// CHECK: scf.for
// CHECK-NOT: loom.rms_norm
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME: tensor<4x64xf32>
// CHECK: math.sqrt
func.func @decompose_tiled_rms_norm(%x: tensor<8x64xf32>, %w: tensor<64xf32>) -> tensor<8x64xf32> {
  %h = loom.rms_norm %x, %w {epsilon = 1.0e-05 : f32} : (tensor<8x64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.rms_norm"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_for %op tile_sizes [4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %decomposed = transform.structured.decompose_interface %tiled : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

// A tile size that does not divide its loop gives the last tile dynamic sizes
// (affine.min); MHA keys and values follow the query heads one to one. Such
// tiles are valid IR but only lower once shapes are static again.
// CHECK-LABEL: func.func @attention_mha_uneven_tile
// CHECK: scf.for
// CHECK: %[[N:[a-zA-Z0-9_]+]] = affine.min
// CHECK: loom.attention {{.*}} : (tensor<1x?x4x16xf32>, tensor<1x?x4x16xf32>, tensor<1x?x4x16xf32>) -> tensor<1x?x4x16xf32>
func.func @attention_mha_uneven_tile(%q: tensor<1x4x4x16xf32>, %k: tensor<1x4x4x16xf32>, %v: tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32> {
  %o = loom.attention %q, %k, %v {causal}
      : (tensor<1x4x4x16xf32>, tensor<1x4x4x16xf32>, tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32>
  return %o : tensor<1x4x4x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops = transform.structured.tile_using_for %op tile_sizes [0, 3, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
