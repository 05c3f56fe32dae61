// RUN: loom-opt %s -split-input-file -verify-diagnostics
// Every diagnostic of loom.angular_attention, one case each.

// Rank.
func.func @f(%q: tensor<4x8x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x8xf32>) {
  // expected-error @+1 {{query, key and value must be rank 4 [B,H,S,D], got ranks 3, 4 and 4}}
  %o = loom.angular_attention %q, %k, %v
      : (tensor<4x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// Integer inputs.
func.func @f(%q: tensor<1x4x8x8xi32>, %k: tensor<1x2x8x8xi32>, %v: tensor<1x2x8x8xi32>) {
  // expected-error @+1 {{query element type must be a float, got 'i32'}}
  %o = loom.angular_attention %q, %k, %v
      : (tensor<1x4x8x8xi32>, tensor<1x2x8x8xi32>, tensor<1x2x8x8xi32>) -> tensor<1x4x8x8xi32>
  return
}

// -----

// Mixed element types.
func.func @f(%q: tensor<1x4x8x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x8xf16>) {
  // expected-error @+1 {{query, key and value must share an element type}}
  %o = loom.angular_attention %q, %k, %v
      : (tensor<1x4x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf16>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// Dynamic head dim.
func.func @f(%q: tensor<1x4x8x?xf32>, %k: tensor<1x2x8x?xf32>, %v: tensor<1x2x8x8xf32>) {
  // expected-error @+1 {{head dims must be static}}
  %o = loom.angular_attention %q, %k, %v
      : (tensor<1x4x8x?xf32>, tensor<1x2x8x?xf32>, tensor<1x2x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// Key head dim differs from the query's.
func.func @f(%q: tensor<1x4x8x8xf32>, %k: tensor<1x2x8x4xf32>, %v: tensor<1x2x8x8xf32>) {
  // expected-error @+1 {{key head dim is 4, expected 8}}
  %o = loom.angular_attention %q, %k, %v
      : (tensor<1x4x8x8xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// Value length differs from the key length.
func.func @f(%q: tensor<1x4x8x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x6x8xf32>) {
  // expected-error @+1 {{value sequence length is 6, expected 8}}
  %o = loom.angular_attention %q, %k, %v
      : (tensor<1x4x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x6x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// Query heads not a multiple of kv heads.
func.func @f(%q: tensor<1x4x8x8xf32>, %k: tensor<1x3x8x8xf32>, %v: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{query heads (4) must be a multiple of key/value heads (3)}}
  %o = loom.angular_attention %q, %k, %v
      : (tensor<1x4x8x8xf32>, tensor<1x3x8x8xf32>, tensor<1x3x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// Causal needs equal lengths.
func.func @f(%q: tensor<1x4x4x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x8xf32>) {
  // expected-error @+1 {{causal requires equal query and key lengths, got 4 and 8}}
  %o = loom.angular_attention %q, %k, %v {causal}
      : (tensor<1x4x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x4x4x8xf32>
  return
}

// -----

// Result shape.
func.func @f(%q: tensor<1x4x8x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x8xf32>) {
  // expected-error @+1 {{result value dim is 4, expected 8}}
  %o = loom.angular_attention %q, %k, %v
      : (tensor<1x4x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x4x8x4xf32>
  return
}

// -----

// The 'same'-padded conv reads future tokens.
func.func @f(%q: tensor<1x4x8x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x8xf32>, %w: tensor<2x3xf32>) {
  // expected-error @+1 {{the local (depthwise conv) branch pads 'same' and reads future tokens; it cannot be causal}}
  %o = loom.angular_attention %q, %k, %v local(%w) {causal}
      : (tensor<1x4x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<2x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// The conv branch is per token: equal lengths.
func.func @f(%q: tensor<1x4x4x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x8xf32>, %w: tensor<2x3xf32>) {
  // expected-error @+1 {{the local branch requires equal query and key lengths, got 4 and 8}}
  %o = loom.angular_attention %q, %k, %v local(%w)
      : (tensor<1x4x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<2x3xf32>) -> tensor<1x4x4x8xf32>
  return
}

// -----

// Conv weight rank.
func.func @f(%q: tensor<1x4x8x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x8xf32>, %w: tensor<2x3x1xf32>) {
  // expected-error @+1 {{conv weight must be a rank-2 tensor of 'f32' [Hkv,K], got 'tensor<2x3x1xf32>'}}
  %o = loom.angular_attention %q, %k, %v local(%w)
      : (tensor<1x4x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<2x3x1xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// Conv weight element type.
func.func @f(%q: tensor<1x4x8x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x8xf32>, %w: tensor<2x3xf16>) {
  // expected-error @+1 {{conv weight must be a rank-2 tensor of 'f32' [Hkv,K], got 'tensor<2x3xf16>'}}
  %o = loom.angular_attention %q, %k, %v local(%w)
      : (tensor<1x4x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<2x3xf16>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// One kernel per kv head.
func.func @f(%q: tensor<1x4x8x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x8xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{conv weight head count is 4, expected 2}}
  %o = loom.angular_attention %q, %k, %v local(%w)
      : (tensor<1x4x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<4x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// Even kernels have no centred 'same' padding.
func.func @f(%q: tensor<1x4x8x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x8xf32>, %w: tensor<2x4xf32>) {
  // expected-error @+1 {{conv kernel size must be odd (for 'same' padding), got 4}}
  %o = loom.angular_attention %q, %k, %v local(%w)
      : (tensor<1x4x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<2x4xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// eps must be positive.
func.func @f(%q: tensor<1x4x8x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x8xf32>) {
  // expected-error @+1 {{eps must be finite and positive, got 0}}
  %o = loom.angular_attention %q, %k, %v {eps = 0.0 : f32}
      : (tensor<1x4x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// The kernel size fixes the padding: it must be static.
func.func @f(%q: tensor<1x4x8x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x8xf32>, %w: tensor<2x?xf32>) {
  // expected-error @+1 {{conv kernel size must be static}}
  %o = loom.angular_attention %q, %k, %v local(%w)
      : (tensor<1x4x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<2x?xf32>) -> tensor<1x4x8x8xf32>
  return
}
