// RUN: loom-opt %s --transform-interpreter -split-input-file -verify-diagnostics

// Tiles and decompositions the loom ops refuse, each with its reason.

// Attention over a KV cache is not tiled: the cache's per-batch positions and
// length are one value until convert-loom-to-linalg splits it.
func.func @negative_attention_kv_cache(%q: tensor<1x8x1x16xf32>, %c: !loom.kv_cache<1x2x32x16xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+3 {{cannot be tiled: reads a KV cache}}
  // expected-error @+2 {{to tile operation}}
  // expected-error @+1 {{failed to generate tiling loops}}
  %o = loom.attention %q, %c {causal} : (tensor<1x8x1x16xf32>, !loom.kv_cache<1x2x32x16xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops:2 = transform.structured.tile_using_for %op tile_sizes [1, 2, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// The sum over K is not split (a partial K tile would need partial sums).
func.func @negative_matmul_reduction_tile(%x: tensor<8x64xf32>, %w: tensor<32x64xf32>) -> tensor<8x32xf32> {
  // expected-error @+3 {{cannot tile reduction loop 2 (the sum over K)}}
  // expected-error @+2 {{to tile operation}}
  // expected-error @+1 {{failed to generate tiling loops}}
  %y = loom.adder_matmul %x, %w : (tensor<8x64xf32>, tensor<32x64xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.adder_matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops:3 = transform.structured.tile_using_for %op tile_sizes [4, 16, 16] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Causal attention: a query tile would shift the queries' absolute positions.
func.func @negative_causal_query_tile(%q: tensor<1x4x4x16xf32>, %k: tensor<1x4x6x16xf32>, %v: tensor<1x4x6x16xf32>) -> tensor<1x4x4x16xf32> {
  // expected-error @+4 {{cannot tile the query positions of causal attention}}
  // expected-error @+3 {{to tile operation}}
  // expected-error @+2 {{failed to generate tiling loops}}
  // expected-note @+1 {{when applied to this op}}
  %o = loom.attention %q, %k, %v {causal}
      : (tensor<1x4x4x16xf32>, tensor<1x4x6x16xf32>, tensor<1x4x6x16xf32>) -> tensor<1x4x4x16xf32>
  return %o : tensor<1x4x4x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @+1 {{failed to apply}}
    %tiled, %loops = transform.structured.tile_using_forall %op tile_sizes [0, 0, 2] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// GQA 6:2 (groups of 3): a tile of 2 query heads would straddle two groups.
func.func @negative_gqa_uneven_head_tile(%q: tensor<1x6x4x16xf32>, %k: tensor<1x2x4x16xf32>, %v: tensor<1x2x4x16xf32>) -> tensor<1x6x4x16xf32> {
  // expected-error @+3 {{a query-head tile must cover whole GQA groups of 3 heads or divide one, got 2}}
  // expected-error @+2 {{to tile operation}}
  // expected-error @+1 {{failed to generate tiling loops}}
  %o = loom.attention %q, %k, %v
      : (tensor<1x6x4x16xf32>, tensor<1x2x4x16xf32>, tensor<1x2x4x16xf32>) -> tensor<1x6x4x16xf32>
  return %o : tensor<1x6x4x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops = transform.structured.tile_using_for %op tile_sizes [0, 2, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// key_scores sum over the queries and the heads of a group: a tile holds
// partial sums.
func.func @negative_attention_key_scores(%q: tensor<1x4x4x16xf32>, %k: tensor<1x4x4x16xf32>, %v: tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32> {
  // expected-error @+3 {{cannot be tiled: returns key_scores}}
  // expected-error @+2 {{to tile operation}}
  // expected-error @+1 {{failed to generate tiling loops}}
  %o, %s = loom.attention %q, %k, %v {causal}
      : (tensor<1x4x4x16xf32>, tensor<1x4x4x16xf32>, tensor<1x4x4x16xf32>) -> (tensor<1x4x4x16xf32>, tensor<1x4x4xf32>)
  return %o : tensor<1x4x4x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops = transform.structured.tile_using_for %op tile_sizes [0, 2, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Decomposing attention over a KV cache needs the cache as tensors.
func.func @negative_decompose_kv_cache(%q: tensor<1x8x1x16xf32>, %c: !loom.kv_cache<1x2x32x16xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+2 {{cannot be decomposed: reads a KV cache}}
  // expected-note @+1 {{when applied to this op}}
  %o = loom.attention %q, %c {causal} : (tensor<1x8x1x16xf32>, !loom.kv_cache<1x2x32x16xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @+1 {{failed to apply}}
    %d = transform.structured.decompose_interface %op : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

// The reference lowering (and so the decomposition) needs static shapes.
func.func @negative_decompose_dynamic(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // expected-error @+2 {{cannot be decomposed: the reference lowering needs static shapes}}
  // expected-note @+1 {{when applied to this op}}
  %h = loom.rms_norm %x {epsilon = 1.0e-05 : f32} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  return %h : tensor<?x64xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["loom.rms_norm"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @+1 {{failed to apply}}
    %d = transform.structured.decompose_interface %op : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}
