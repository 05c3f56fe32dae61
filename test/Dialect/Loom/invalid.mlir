// RUN: loom-opt %s -split-input-file -verify-diagnostics

// Every verifier message of loom.attention has a case here.

// Rank of q.
func.func @f(%q: tensor<8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{query must be rank 4 [B,Hq,Sq,D], got rank 3}}
  %o = loom.attention %q, %k, %v : (tensor<8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// Integer q.
func.func @f(%q: tensor<1x8x4x16xi32>, %k: tensor<1x2x6x16xi32>, %v: tensor<1x2x6x16xi32>) {
  // expected-error @+1 {{query element type must be a float, got 'i32'}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x4x16xi32>, tensor<1x2x6x16xi32>, tensor<1x2x6x16xi32>) -> tensor<1x8x4x16xi32>
  return
}

// -----

// Dynamic head dim.
func.func @f(%q: tensor<1x8x4x?xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{query head dim must be static}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x4x?xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// k rank.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{key and value must be rank 4 [B,Hkv,Skv,D], got ranks 3 and 4}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// Mixed element types.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf16>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{query, key and value must share an element type}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf16>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// k batch.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<2x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{key batch is 2, expected 1}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<2x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// k head dim.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{key head dim is 8, expected 16}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// v batch.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<2x2x6x16xf32>) {
  // expected-error @+1 {{value batch is 2, expected 1}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<2x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// v heads.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x4x6x16xf32>) {
  // expected-error @+1 {{value head count is 4, expected 2}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x4x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// v length.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x5x16xf32>) {
  // expected-error @+1 {{value sequence length is 5, expected 6}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x5x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// Hq not a multiple of Hkv.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x3x6x16xf32>, %v: tensor<1x3x6x16xf32>) {
  // expected-error @+1 {{query heads (8) must be a multiple of key/value heads (3)}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<1x3x6x16xf32>, tensor<1x3x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// More queries than keys.
func.func @f(%q: tensor<1x8x7x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{query length (7) exceeds key length (6)}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x7x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x7x16xf32>
  return
}

// -----

// Result rank.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{result must be a rank-4 tensor of 'f32' [B,Hq,Sq,Dv], got 'tensor<8x4x16xf32>'}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<8x4x16xf32>
  return
}

// -----

// Result batch.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{result batch is 2, expected 1}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<2x8x4x16xf32>
  return
}

// -----

// Result heads.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{result head count is 2, expected 8}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x2x4x16xf32>
  return
}

// -----

// Result query length.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{result query length is 3, expected 4}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x3x16xf32>
  return
}

// -----

// Result value dim.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{result value dim is 8, expected 16}}
  %o = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x8xf32>
  return
}

// -----

// Scale zero.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{scale must be finite and non-zero}}
  %o = loom.attention %q, %k, %v {scale = 0.0 : f32} : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// Window zero.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{window must be at least 1, got 0}}
  %o = loom.attention %q, %k, %v {causal, window = 0} : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// Window without causal.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{window requires causal}}
  %o = loom.attention %q, %k, %v {window = 2} : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// Negative sinks.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{sinks must be non-negative, got -1}}
  %o = loom.attention %q, %k, %v {causal, window = 2, sinks = -1} : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// Sinks without window.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{sinks requires a window}}
  %o = loom.attention %q, %k, %v {causal, sinks = 2} : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// Tensor keys need values.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{requires a value operand when keys are a tensor}}
  %o = loom.attention %q, %k : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// A cache carries its own values.
func.func @f(%q: tensor<1x8x4x16xf32>, %c: !loom.kv_cache<1x2x32x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{takes no separate value operand when reading a kv_cache}}
  %o = loom.attention %q, %c, %v : (tensor<1x8x4x16xf32>, !loom.kv_cache<1x2x32x16xf32>, tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// Cache element type.
func.func @f(%q: tensor<1x8x4x16xf32>, %c: !loom.kv_cache<1x2x32x16xf16>) {
  // expected-error @+1 {{kv_cache element type 'f16' does not match query element type 'f32'}}
  %o = loom.attention %q, %c : (tensor<1x8x4x16xf32>, !loom.kv_cache<1x2x32x16xf16>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// Cache batch.
func.func @f(%q: tensor<1x8x4x16xf32>, %c: !loom.kv_cache<2x2x32x16xf32>) {
  // expected-error @+1 {{kv_cache batch is 2, expected 1}}
  %o = loom.attention %q, %c : (tensor<1x8x4x16xf32>, !loom.kv_cache<2x2x32x16xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// Cache head dim.
func.func @f(%q: tensor<1x8x4x16xf32>, %c: !loom.kv_cache<1x2x32x8xf32>) {
  // expected-error @+1 {{kv_cache head dim is 8, expected 16}}
  %o = loom.attention %q, %c : (tensor<1x8x4x16xf32>, !loom.kv_cache<1x2x32x8xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// Mask rank.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>, %m: tensor<4x6xf32>) {
  // expected-error @+1 {{mask must be a rank-4 tensor of 'f32' broadcastable to [B,Hq,Sq,Skv], got 'tensor<4x6xf32>'}}
  %o = loom.attention %q, %k, %v mask(%m) : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>, tensor<4x6xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// Mask not broadcastable.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>, %m: tensor<1x1x4x5xf32>) {
  // expected-error @+1 {{mask dimension 3 is 5, expected 1 or 6}}
  %o = loom.attention %q, %k, %v mask(%m) : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>, tensor<1x1x4x5xf32>) -> tensor<1x8x4x16xf32>
  return
}

// -----

// Scores rank.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{key_scores result must be a rank-3 f32 tensor [B,Hkv,Skv], got 'tensor<1x2x6x1xf32>'}}
  %o, %s = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> (tensor<1x8x4x16xf32>, tensor<1x2x6x1xf32>)
  return
}

// -----

// Scores batch.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{key_scores batch is 2, expected 1}}
  %o, %s = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> (tensor<1x8x4x16xf32>, tensor<2x2x6xf32>)
  return
}

// -----

// Scores per kv head, not per query head.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{key_scores head count is 8, expected 2}}
  %o, %s = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> (tensor<1x8x4x16xf32>, tensor<1x8x6xf32>)
  return
}

// -----

// Scores length.
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) {
  // expected-error @+1 {{key_scores key length is 4, expected 6}}
  %o, %s = loom.attention %q, %k, %v : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> (tensor<1x8x4x16xf32>, tensor<1x2x4xf32>)
  return
}
