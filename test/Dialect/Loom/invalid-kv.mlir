// RUN: loom-opt %s -split-input-file -verify-diagnostics

// One case per verifier message of the loom.kv.* ops.

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @append_key_rank(%c: !cache, %k: tensor<2x3x4xf32>, %v: tensor<1x2x3x4xf32>) {
  // expected-error @+1 {{key must be a static rank-4 tensor [B,H,T,D], got 'tensor<2x3x4xf32>'}}
  %0 = loom.kv.append %c, %k, %v : !cache, tensor<2x3x4xf32>, tensor<1x2x3x4xf32>
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @append_no_tokens(%c: !cache, %k: tensor<1x2x0x4xf32>, %v: tensor<1x2x0x4xf32>) {
  // expected-error @+1 {{must append at least one token, got 0}}
  %0 = loom.kv.append %c, %k, %v : !cache, tensor<1x2x0x4xf32>, tensor<1x2x0x4xf32>
  return
}

// -----

!cache = !loom.kv_cache<1x2x4x4xf32>

func.func @append_more_than_capacity(%c: !cache, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x4xf32>) {
  // expected-error @+1 {{appends 5 tokens, more than the capacity (4)}}
  %0 = loom.kv.append %c, %k, %v : !cache, tensor<1x2x5x4xf32>, tensor<1x2x5x4xf32>
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @append_key_heads(%c: !cache, %k: tensor<1x3x2x4xf32>, %v: tensor<1x2x2x4xf32>) {
  // expected-error @+1 {{key must be 'tensor<1x2x2x4xf32>', got 'tensor<1x3x2x4xf32>'}}
  %0 = loom.kv.append %c, %k, %v : !cache, tensor<1x3x2x4xf32>, tensor<1x2x2x4xf32>
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32, value_dim = 8>

func.func @append_value_dim(%c: !cache, %k: tensor<1x2x2x4xf32>, %v: tensor<1x2x2x4xf32>) {
  // expected-error @+1 {{value must be 'tensor<1x2x2x8xf32>', got 'tensor<1x2x2x4xf32>'}}
  %0 = loom.kv.append %c, %k, %v : !cache, tensor<1x2x2x4xf32>, tensor<1x2x2x4xf32>
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @keys_shape(%c: !cache) {
  // expected-error @+1 {{result must be 'tensor<1x2x16x4xf32>', got 'tensor<1x2x8x4xf32>'}}
  %0 = loom.kv.keys %c : !cache -> tensor<1x2x8x4xf32>
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32, value_dim = 8>

func.func @values_shape(%c: !cache) {
  // expected-error @+1 {{result must be 'tensor<1x2x16x8xf32>', got 'tensor<1x2x16x4xf32>'}}
  %0 = loom.kv.values %c : !cache -> tensor<1x2x16x4xf32>
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @positions_type(%c: !cache) {
  // expected-error @+1 {{result must be 'tensor<1x2x16xi64>', got 'tensor<1x2x16xi32>'}}
  %0 = loom.kv.positions %c : !cache -> tensor<1x2x16xi32>
  return
}

// -----

!cache = !loom.kv_cache<2x2x16x4xf32>

func.func @length_shape(%c: !cache) {
  // expected-error @+1 {{result must be 'tensor<2xi64>', got 'tensor<1xi64>'}}
  %0 = loom.kv.length %c : !cache -> tensor<1xi64>
  return
}

// -----

!qcache = !loom.kv_cache<1x2x16x4xf32, quant = <bits = 4, group = 4, residual = 4>>

func.func @evict_quantized(%c: !qcache) {
  // expected-error @+1 {{cannot evict from a quantized cache; dequantize it first}}
  %0 = loom.kv.evict window_sinks %c {budget = 8} : !qcache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @evict_two_budgets(%c: !cache) {
  // expected-error @+1 {{requires exactly one of 'budget' and 'budget_fraction'}}
  %0 = loom.kv.evict window_sinks %c {budget = 8, budget_fraction = 0.5 : f32} : !cache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @evict_budget_over_capacity(%c: !cache) {
  // expected-error @+1 {{budget (20) must be in [0, capacity = 16]}}
  %0 = loom.kv.evict window_sinks %c {budget = 20} : !cache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @evict_fraction_range(%c: !cache) {
  // expected-error @+1 {{budget_fraction must be in (0, 1], got 1.5}}
  %0 = loom.kv.evict window_sinks %c {budget_fraction = 1.5 : f32} : !cache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @h2o_without_scores(%c: !cache) {
  // expected-error @+1 {{policy 'h2o' requires a scores operand}}
  %0 = loom.kv.evict h2o %c {budget = 8} : !cache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @window_sinks_with_scores(%c: !cache, %s: tensor<1x2x16xf32>) {
  // expected-error @+1 {{policy 'window_sinks' takes no scores operand}}
  %0 = loom.kv.evict window_sinks %c scores(%s : tensor<1x2x16xf32>) {budget = 8} : !cache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @kept_scores_without_scores(%c: !cache) {
  // expected-error @+1 {{'kept_scores' requires a scores operand}}
  %0, %1 = loom.kv.evict window_sinks %c {budget = 8} : !cache, tensor<1x2x16xf32>
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @kept_scores_type(%c: !cache, %s: tensor<1x2x16xf32>) {
  // expected-error @+1 {{kept_scores must be 'tensor<1x2x16xf32>', got 'tensor<1x2x8xf32>'}}
  %0, %1 = loom.kv.evict h2o %c scores(%s : tensor<1x2x16xf32>) {budget = 8} : !cache, tensor<1x2x8xf32>
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @merge_kept_scores_type(%c: !cache, %s: tensor<1x2x16xf32>) {
  // expected-error @+1 {{kept_scores must be 'tensor<1x2x16xf32>', got 'tensor<1x2x16xf16>'}}
  %0, %1 = loom.kv.merge %c scores(%s : tensor<1x2x16xf32>) {budget = 8, threshold = 0.8 : f32, sigma = 1.0 : f32} : !cache, tensor<1x2x16xf16>
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @evict_scores_shape(%c: !cache, %s: tensor<1x2x8xf32>) {
  // expected-error @+1 {{scores must be 'tensor<1x2x16xf32>', got 'tensor<1x2x8xf32>'}}
  %0 = loom.kv.evict h2o %c scores(%s : tensor<1x2x8xf32>) {budget = 8} : !cache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @sinks_with_h2o(%c: !cache, %s: tensor<1x2x16xf32>) {
  // expected-error @+1 {{'sinks' is only valid with policy 'window_sinks'}}
  %0 = loom.kv.evict h2o %c scores(%s : tensor<1x2x16xf32>) {budget = 8, sinks = 2} : !cache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @snapkv_without_window(%c: !cache, %s: tensor<1x2x16xf32>) {
  // expected-error @+1 {{policy 'snapkv' requires 'window'}}
  %0 = loom.kv.evict snapkv %c scores(%s : tensor<1x2x16xf32>) {budget = 8} : !cache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @sinks_over_budget(%c: !cache) {
  // expected-error @+1 {{sinks (8) exceeds the budget (6)}}
  %0 = loom.kv.evict window_sinks %c {budget = 6, sinks = 8} : !cache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @negative_recent(%c: !cache, %s: tensor<1x2x16xf32>) {
  // expected-error @+1 {{recent must be non-negative, got -1}}
  %0 = loom.kv.evict h2o %c scores(%s : tensor<1x2x16xf32>) {budget = 6, recent = -1} : !cache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @even_kernel(%c: !cache, %s: tensor<1x2x16xf32>) {
  // expected-error @+1 {{kernel must be a positive odd number, got 4}}
  %0 = loom.kv.evict snapkv %c scores(%s : tensor<1x2x16xf32>) {budget = 8, window = 2, kernel = 4} : !cache
  return
}

// -----

!qcache = !loom.kv_cache<1x2x16x4xf32, quant = <bits = 4, group = 4, residual = 4>>

func.func @merge_quantized(%c: !qcache, %s: tensor<1x2x16xf32>) {
  // expected-error @+1 {{cannot merge a quantized cache; dequantize it first}}
  %0 = loom.kv.merge %c scores(%s : tensor<1x2x16xf32>) {budget = 8, threshold = 0.5 : f32, sigma = 1.0 : f32} : !qcache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @merge_threshold(%c: !cache, %s: tensor<1x2x16xf32>) {
  // expected-error @+1 {{threshold is a cosine similarity and must be in [-1, 1], got 2}}
  %0 = loom.kv.merge %c scores(%s : tensor<1x2x16xf32>) {budget = 8, threshold = 2.0 : f32, sigma = 1.0 : f32} : !cache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @merge_sigma(%c: !cache, %s: tensor<1x2x16xf32>) {
  // expected-error @+1 {{sigma must be positive and finite, got 0}}
  %0 = loom.kv.merge %c scores(%s : tensor<1x2x16xf32>) {budget = 8, threshold = 0.5 : f32, sigma = 0.0 : f32} : !cache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @merge_recent_over_budget(%c: !cache, %s: tensor<1x2x16xf32>) {
  // expected-error @+1 {{recent (9) exceeds the budget (8)}}
  %0 = loom.kv.merge %c scores(%s : tensor<1x2x16xf32>) {budget = 8, recent = 9, threshold = 0.5 : f32, sigma = 1.0 : f32} : !cache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @merge_without_budget(%c: !cache, %s: tensor<1x2x16xf32>) {
  // expected-error @+1 {{requires exactly one of 'budget' and 'budget_fraction'}}
  %0 = loom.kv.merge %c scores(%s : tensor<1x2x16xf32>) {threshold = 0.5 : f32, sigma = 1.0 : f32} : !cache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @merge_scores_type(%c: !cache, %s: tensor<1x2x16xf16>) {
  // expected-error @+1 {{scores must be 'tensor<1x2x16xf32>', got 'tensor<1x2x16xf16>'}}
  %0 = loom.kv.merge %c scores(%s : tensor<1x2x16xf16>) {budget = 8, threshold = 0.5 : f32, sigma = 1.0 : f32} : !cache
  return
}

// -----

!qcache = !loom.kv_cache<1x2x16x4xf32, quant = <bits = 4, group = 4, residual = 4>>

func.func @quantize_quantized(%c: !qcache) {
  // expected-error @+1 {{operand is already quantized}}
  %0 = loom.kv.quantize %c : !qcache -> !qcache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @quantize_to_plain(%c: !cache) {
  // expected-error @+1 {{result must be a quantized kv_cache, got '!loom.kv_cache<1x2x16x4xf32>'}}
  %0 = loom.kv.quantize %c : !cache -> !cache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>
!qcache = !loom.kv_cache<1x2x8x4xf32, quant = <bits = 4, group = 4, residual = 4>>

func.func @quantize_layout(%c: !cache) {
  // expected-error @+1 {{result '!loom.kv_cache<1x2x8x4xf32, quant = <bits = 4, group = 4, residual = 4>>' must have the operand's layout '!loom.kv_cache<1x2x16x4xf32>'}}
  %0 = loom.kv.quantize %c : !cache -> !qcache
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @quantize_bits(%c: !cache) {
  // expected-error @+1 {{kv_cache quant bits must be 2, 4 or 8, got 3}}
  %0 = loom.kv.quantize %c : !cache -> !loom.kv_cache<1x2x16x4xf32, quant = <bits = 3, group = 4, residual = 4>>
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x6xf32>

func.func @quantize_packing(%c: !cache) {
  // expected-error @+1 {{kv_cache 2-bit codes are packed 4 to a byte: head dim (6) and value dim (6) must be multiples of 4}}
  %0 = loom.kv.quantize %c : !cache -> !loom.kv_cache<1x2x16x6xf32, quant = <bits = 2, group = 2, residual = 4>>
  return
}

// -----

!cache = !loom.kv_cache<1x2x16x4xf32>

func.func @dequantize_plain(%c: !cache) {
  // expected-error @+1 {{operand must be a quantized kv_cache, got '!loom.kv_cache<1x2x16x4xf32>'}}
  %0 = loom.kv.dequantize %c : !cache -> !cache
  return
}

// -----

!qcache = !loom.kv_cache<1x2x16x4xf32, quant = <bits = 4, group = 4, residual = 4>>

func.func @dequantize_result(%c: !qcache) {
  // expected-error @+1 {{result must be '!loom.kv_cache<1x2x16x4xf32>', got '!loom.kv_cache<1x2x16x4xf16>'}}
  %0 = loom.kv.dequantize %c : !qcache -> !loom.kv_cache<1x2x16x4xf16>
  return
}

// -----

func.func @project_input_rank(%x: tensor<2x12x16xf32>, %p: tensor<2x16x4xf32>) {
  // expected-error @+1 {{input must be a static rank-4 tensor [B,H,T,X], got 'tensor<2x12x16xf32>'}}
  %0 = loom.kv.project %x, %p : tensor<2x12x16xf32>, tensor<2x16x4xf32> -> tensor<1x2x12x4xf32>
  return
}

// -----

func.func @project_basis_rank(%x: tensor<1x2x12x16xf32>, %p: tensor<16x4xf32>) {
  // expected-error @+1 {{basis must be a static rank-3 tensor [H,D,r], got 'tensor<16x4xf32>'}}
  %0 = loom.kv.project %x, %p : tensor<1x2x12x16xf32>, tensor<16x4xf32> -> tensor<1x2x12x4xf32>
  return
}

// -----

func.func @project_element_type(%x: tensor<1x2x12x16xf32>, %p: tensor<2x16x4xf16>) {
  // expected-error @+1 {{input and basis must have the same float element type, got 'f32' and 'f16'}}
  %0 = loom.kv.project %x, %p : tensor<1x2x12x16xf32>, tensor<2x16x4xf16> -> tensor<1x2x12x4xf32>
  return
}

// -----

func.func @project_rank(%x: tensor<1x2x12x4xf32>, %p: tensor<2x4x8xf32>) {
  // expected-error @+1 {{rank (8) must not exceed the head dim (4)}}
  %0 = loom.kv.project %x, %p : tensor<1x2x12x4xf32>, tensor<2x4x8xf32> -> tensor<1x2x12x8xf32>
  return
}

// -----

func.func @project_heads(%x: tensor<1x3x12x16xf32>, %p: tensor<2x16x4xf32>) {
  // expected-error @+1 {{input heads (3) must be a multiple of the basis heads (2)}}
  %0 = loom.kv.project %x, %p : tensor<1x3x12x16xf32>, tensor<2x16x4xf32> -> tensor<1x3x12x4xf32>
  return
}

// -----

func.func @project_input_dim(%x: tensor<1x2x12x16xf32>, %p: tensor<2x16x4xf32>) {
  // expected-error @+1 {{input last dim must be 4 (the rank, reconstructing), got 16}}
  %0 = loom.kv.project %x, %p {reconstruct} : tensor<1x2x12x16xf32>, tensor<2x16x4xf32> -> tensor<1x2x12x16xf32>
  return
}

// -----

func.func @project_result(%x: tensor<1x2x12x16xf32>, %p: tensor<2x16x4xf32>) {
  // expected-error @+1 {{result must be 'tensor<1x2x12x4xf32>', got 'tensor<1x2x12x8xf32>'}}
  %0 = loom.kv.project %x, %p : tensor<1x2x12x16xf32>, tensor<2x16x4xf32> -> tensor<1x2x12x8xf32>
  return
}
