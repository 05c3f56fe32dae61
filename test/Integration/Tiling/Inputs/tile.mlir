// Transform scripts of the tiling execution tests, loaded with
// --transform-preload-library and chosen with --transform-interpreter's
// entry-point, so the tiled module the interpreter writes carries no script.
module attributes {transform.with_named_sequence} {
  // M and N in tiles of 2 x 8 (K whole), sequential loops.
  transform.named_sequence @tile_matmul_for(%root: !transform.any_op {transform.readonly}) {
    %ops = transform.structured.match ops{["loom.qmatmul", "loom.bcq_matmul", "loom.shift_matmul", "loom.adder_matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.foreach %ops : !transform.any_op {
    ^bb0(%op: !transform.any_op):
      %tiled, %loops:2 = transform.structured.tile_using_for %op tile_sizes [2, 8, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    }
    transform.yield
  }
  // N in tiles of 8, a parallel loop.
  transform.named_sequence @tile_matmul_forall(%root: !transform.any_op {transform.readonly}) {
    %ops = transform.structured.match ops{["loom.qmatmul", "loom.bcq_matmul", "loom.shift_matmul", "loom.adder_matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.foreach %ops : !transform.any_op {
    ^bb0(%op: !transform.any_op):
      %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [0, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    }
    transform.yield
  }
  // The consumer matmul in row tiles of 2 with its loom producers fused in.
  transform.named_sequence @fuse_into_matmul(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.qmatmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.fuse %op tile_sizes [2, 0, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
  // Token dimensions of rms_norm / rope: the first in tiles of 1, the second
  // in tiles of 2 (rank 3 and 4 inputs).
  transform.named_sequence @tile_tokens(%root: !transform.any_op {transform.readonly}) {
    %ops = transform.structured.match ops{["loom.rms_norm", "loom.rope"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.foreach %ops : !transform.any_op {
    ^bb0(%op: !transform.any_op):
      %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [1, 2] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    }
    transform.yield
  }
  // As tile_tokens, then each tile decomposed into its reference lowering.
  transform.named_sequence @tile_tokens_decompose(%root: !transform.any_op {transform.readonly}) {
    %ops = transform.structured.match ops{["loom.rms_norm", "loom.rope"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.foreach %ops : !transform.any_op {
    ^bb0(%op: !transform.any_op):
      %tiled, %loops:2 = transform.structured.tile_using_for %op tile_sizes [1, 2] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
      %decomposed = transform.structured.decompose_interface %tiled : (!transform.any_op) -> !transform.any_op
    }
    transform.yield
  }
  // Attention per batch and pair of query heads, a parallel loop.
  transform.named_sequence @tile_attention_heads(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [1, 2, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
  // Attention per batch and group of 4 query heads.
  transform.named_sequence @tile_attention_groups(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops:2 = transform.structured.tile_using_for %op tile_sizes [1, 4, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
  // Non-causal attention in query tiles of 2 (positions do not matter).
  transform.named_sequence @tile_attention_queries(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops:2 = transform.structured.tile_using_for %op tile_sizes [0, 2, 2] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}
