// RUN: loom-opt %s -split-input-file -verify-diagnostics

// Every verifier message of the loom.moe.* ops has a case here.

// Logits of rank 1.
func.func @f(%l: tensor<8xf32>) {
  // expected-error @+1 {{logits [T,E] must be a rank-2 tensor of floats, got 'tensor<8xf32>'}}
  %w, %i, %d = loom.moe.route %l {k = 2} : tensor<8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// Integer logits.
func.func @f(%l: tensor<16x8xi32>) {
  // expected-error @+1 {{logits [T,E] must be a rank-2 tensor of floats}}
  %w, %i, %d = loom.moe.route %l {k = 2} : tensor<16x8xi32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// Dynamic number of experts.
func.func @f(%l: tensor<16x?xf32>) {
  // expected-error @+1 {{the number of experts (logits dimension 1) must be static}}
  %w, %i, %d = loom.moe.route %l {k = 2} : tensor<16x?xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// Zero capacity factor.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{'capacity_factor' must be positive, got 0}}
  %w, %i, %d = loom.moe.route %l {k = 2, capacity_factor = 0.0} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// Negative capacity factor.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{'capacity_factor' must be positive, got -1}}
  %w, %i, %d = loom.moe.route %l {k = 2, capacity_factor = -1.0} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// Top-p takes k_max, not k.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{'k' does not apply to mode top_p (use 'k_max')}}
  %w, %i, %d = loom.moe.route %l {mode = #loom.moe_routing<top_p>, k = 2, top_p = 0.5 : f32, k_max = 2} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// Top-p without k_max.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{mode top_p requires 'top_p' and 'k_max'}}
  %w, %i, %d = loom.moe.route %l {mode = #loom.moe_routing<top_p>, top_p = 0.5 : f32} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// Top-p without top_p.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{mode top_p requires 'top_p' and 'k_max'}}
  %w, %i, %d = loom.moe.route %l {mode = #loom.moe_routing<top_p>, k_max = 2} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// top_p above 1.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{'top_p' must be in (0, 1], got 1.5}}
  %w, %i, %d = loom.moe.route %l {mode = #loom.moe_routing<top_p>, top_p = 1.5 : f32, k_max = 2} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// top_p of 0.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{'top_p' must be in (0, 1], got 0}}
  %w, %i, %d = loom.moe.route %l {mode = #loom.moe_routing<top_p>, top_p = 0.0 : f32, k_max = 2} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// k_max above E.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{'k_max' must be in [1, 8] (the number of experts), got 9}}
  %w, %i, %d = loom.moe.route %l {mode = #loom.moe_routing<top_p>, top_p = 0.5 : f32, k_max = 9} : tensor<16x8xf32> -> (tensor<16x9xf32>, tensor<16x9xi64>, tensor<i64>)
  return
}

// -----

// k_max of 0.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{'k_max' must be in [1, 8] (the number of experts), got 0}}
  %w, %i, %d = loom.moe.route %l {mode = #loom.moe_routing<top_p>, top_p = 0.5 : f32, k_max = 0} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// top_p in a top-k mode.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{'top_p' and 'k_max' apply only to mode top_p}}
  %w, %i, %d = loom.moe.route %l {k = 2, top_p = 0.5 : f32} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// k missing.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{mode softmax_topk requires 'k'}}
  %w, %i, %d = loom.moe.route %l {renormalize} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// k missing (topk_softmax).
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{mode topk_softmax requires 'k'}}
  %w, %i, %d = loom.moe.route %l {mode = #loom.moe_routing<topk_softmax>} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// k below 1.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{'k' must be at least 1, got 0}}
  %w, %i, %d = loom.moe.route %l {k = 0} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// k above E.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{'k' (9) exceeds the number of experts (8)}}
  %w, %i, %d = loom.moe.route %l {k = 9} : tensor<16x8xf32> -> (tensor<16x9xf32>, tensor<16x9xi64>, tensor<i64>)
  return
}

// -----

// Renormalising top-k-then-softmax weights is a no-op.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{'renormalize' does not apply to mode topk_softmax (its weights already sum to 1)}}
  %w, %i, %d = loom.moe.route %l {mode = #loom.moe_routing<topk_softmax>, k = 2, renormalize} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// Weights with K != k.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{expected weights [T,K] of shape [16, 2] and element type 'f32', got 'tensor<16x3xf32>'}}
  %w, %i, %d = loom.moe.route %l {k = 2} : tensor<16x8xf32> -> (tensor<16x3xf32>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// Weights of another element type.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{expected weights [T,K] of shape [16, 2] and element type 'f32', got 'tensor<16x2xf16>'}}
  %w, %i, %d = loom.moe.route %l {k = 2} : tensor<16x8xf32> -> (tensor<16x2xf16>, tensor<16x2xi64>, tensor<i64>)
  return
}

// -----

// Indices of i32.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{expected indices [T,K] of shape [16, 2] and element type 'i64', got 'tensor<16x2xi32>'}}
  %w, %i, %d = loom.moe.route %l {k = 2} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi32>, tensor<i64>)
  return
}

// -----

// Dropped count not a scalar tensor.
func.func @f(%l: tensor<16x8xf32>) {
  // expected-error @+1 {{expected dropped of shape [] and element type 'i64', got 'tensor<1xi64>'}}
  %w, %i, %d = loom.moe.route %l {k = 2} : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<1xi64>)
  return
}

// -----

// Dispatch input of rank 3.
func.func @f(%x: tensor<1x16x64xf32>, %i: tensor<16x2xi64>) {
  // expected-error @+1 {{input must be a rank-2 tensor [T,H], got 'tensor<1x16x64xf32>'}}
  %r, %p, %o, %c = loom.moe.dispatch %x, %i : (tensor<1x16x64xf32>, tensor<16x2xi64>) -> (tensor<32x64xf32>, tensor<32xi64>, tensor<8xi64>, tensor<8xi64>)
  return
}

// -----

// Dispatch indices of rank 1.
func.func @f(%x: tensor<16x64xf32>, %i: tensor<32xi64>) {
  // expected-error @+1 {{indices must be a rank-2 tensor [T,K], got 'tensor<32xi64>'}}
  %r, %p, %o, %c = loom.moe.dispatch %x, %i : (tensor<16x64xf32>, tensor<32xi64>) -> (tensor<32x64xf32>, tensor<32xi64>, tensor<8xi64>, tensor<8xi64>)
  return
}

// -----

// Dispatch indices for another number of tokens.
func.func @f(%x: tensor<16x64xf32>, %i: tensor<8x2xi64>) {
  // expected-error @+1 {{expected indices [T,K] of shape [16, 2] and element type 'i64', got 'tensor<8x2xi64>'}}
  %r, %p, %o, %c = loom.moe.dispatch %x, %i : (tensor<16x64xf32>, tensor<8x2xi64>) -> (tensor<32x64xf32>, tensor<32xi64>, tensor<8xi64>, tensor<8xi64>)
  return
}

// -----

// Dispatch indices of i32.
func.func @f(%x: tensor<16x64xf32>, %i: tensor<16x2xi32>) {
  // expected-error @+1 {{expected indices [T,K] of shape [16, 2] and element type 'i64', got 'tensor<16x2xi32>'}}
  %r, %p, %o, %c = loom.moe.dispatch %x, %i : (tensor<16x64xf32>, tensor<16x2xi32>) -> (tensor<32x64xf32>, tensor<32xi64>, tensor<8xi64>, tensor<8xi64>)
  return
}

// -----

// Offsets of f32.
func.func @f(%x: tensor<16x64xf32>, %i: tensor<16x2xi64>) {
  // expected-error @+1 {{offsets must be a rank-1 tensor of i64 [E], got 'tensor<8xf32>'}}
  %r, %p, %o, %c = loom.moe.dispatch %x, %i : (tensor<16x64xf32>, tensor<16x2xi64>) -> (tensor<32x64xf32>, tensor<32xi64>, tensor<8xf32>, tensor<8xi64>)
  return
}

// -----

// Counts for another number of experts.
func.func @f(%x: tensor<16x64xf32>, %i: tensor<16x2xi64>) {
  // expected-error @+1 {{expected counts [E] of shape [8] and element type 'i64', got 'tensor<4xi64>'}}
  %r, %p, %o, %c = loom.moe.dispatch %x, %i : (tensor<16x64xf32>, tensor<16x2xi64>) -> (tensor<32x64xf32>, tensor<32xi64>, tensor<8xi64>, tensor<4xi64>)
  return
}

// -----

// Rows not T*K.
func.func @f(%x: tensor<16x64xf32>, %i: tensor<16x2xi64>) {
  // expected-error @+1 {{expected rows [T*K,H] of shape [32, 64] and element type 'f32', got 'tensor<16x64xf32>'}}
  %r, %p, %o, %c = loom.moe.dispatch %x, %i : (tensor<16x64xf32>, tensor<16x2xi64>) -> (tensor<16x64xf32>, tensor<32xi64>, tensor<8xi64>, tensor<8xi64>)
  return
}

// -----

// Permutation not T*K.
func.func @f(%x: tensor<16x64xf32>, %i: tensor<16x2xi64>) {
  // expected-error @+1 {{expected permutation [T*K] of shape [32] and element type 'i64', got 'tensor<16xi64>'}}
  %r, %p, %o, %c = loom.moe.dispatch %x, %i : (tensor<16x64xf32>, tensor<16x2xi64>) -> (tensor<32x64xf32>, tensor<16xi64>, tensor<8xi64>, tensor<8xi64>)
  return
}

// -----

// Rows of integers.
func.func @f(%r: tensor<20x16xi32>, %o: tensor<4xi64>, %c: tensor<4xi64>, %w1: tensor<4x16x24xf32>, %w2: tensor<4x24x16xf32>, %w3: tensor<4x16x24xf32>) {
  // expected-error @+1 {{rows [R,H] must be a rank-2 tensor of floats, got 'tensor<20x16xi32>'}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) : (tensor<20x16xi32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x24xf32>, tensor<4x24x16xf32>, tensor<4x16x24xf32>) -> tensor<20x16xf32>
  return
}

// -----

// Experts offsets of i32.
func.func @f(%r: tensor<20x16xf32>, %o: tensor<4xi32>, %c: tensor<4xi64>, %w1: tensor<4x16x24xf32>, %w2: tensor<4x24x16xf32>, %w3: tensor<4x16x24xf32>) {
  // expected-error @+1 {{offsets must be a rank-1 tensor of i64 [E], got 'tensor<4xi32>'}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) : (tensor<20x16xf32>, tensor<4xi32>, tensor<4xi64>, tensor<4x16x24xf32>, tensor<4x24x16xf32>, tensor<4x16x24xf32>) -> tensor<20x16xf32>
  return
}

// -----

// Experts with a dynamic number of experts.
func.func @f(%r: tensor<20x16xf32>, %o: tensor<?xi64>, %c: tensor<?xi64>, %w1: tensor<4x16x24xf32>, %w2: tensor<4x24x16xf32>, %w3: tensor<4x16x24xf32>) {
  // expected-error @+1 {{the number of experts (offsets dimension 0) must be static}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) : (tensor<20x16xf32>, tensor<?xi64>, tensor<?xi64>, tensor<4x16x24xf32>, tensor<4x24x16xf32>, tensor<4x16x24xf32>) -> tensor<20x16xf32>
  return
}

// -----

// Counts and offsets disagree.
func.func @f(%r: tensor<20x16xf32>, %o: tensor<4xi64>, %c: tensor<5xi64>, %w1: tensor<4x16x24xf32>, %w2: tensor<4x24x16xf32>, %w3: tensor<4x16x24xf32>) {
  // expected-error @+1 {{expected counts [E] of shape [4] and element type 'i64', got 'tensor<5xi64>'}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) : (tensor<20x16xf32>, tensor<4xi64>, tensor<5xi64>, tensor<4x16x24xf32>, tensor<4x24x16xf32>, tensor<4x16x24xf32>) -> tensor<20x16xf32>
  return
}

// -----

// Fewer kinds than experts.
func.func @f(%r: tensor<20x16xf32>, %o: tensor<4xi64>, %c: tensor<4xi64>, %w1: tensor<4x16x24xf32>, %w2: tensor<4x24x16xf32>, %w3: tensor<4x16x24xf32>) {
  // expected-error @+1 {{'kinds' has 3 entries but there are 4 experts}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) {kinds = [#loom.moe_expert<ffn>, #loom.moe_expert<ffn>, #loom.moe_expert<zero>]} : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x24xf32>, tensor<4x24x16xf32>, tensor<4x16x24xf32>) -> tensor<20x16xf32>
  return
}

// -----

// w1 of rank 2.
func.func @f(%r: tensor<20x16xf32>, %o: tensor<4xi64>, %c: tensor<4xi64>, %w1: tensor<16x24xf32>, %w2: tensor<4x24x16xf32>, %w3: tensor<4x16x24xf32>) {
  // expected-error @+1 {{w1 must be a rank-3 tensor [NF,H,F], got 'tensor<16x24xf32>'}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<16x24xf32>, tensor<4x24x16xf32>, tensor<4x16x24xf32>) -> tensor<20x16xf32>
  return
}

// -----

// w1 holds all experts although one is zero-computation.
func.func @f(%r: tensor<20x16xf32>, %o: tensor<4xi64>, %c: tensor<4xi64>, %w1: tensor<4x16x24xf32>, %w2: tensor<4x24x16xf32>, %w3: tensor<4x16x24xf32>) {
  // expected-error @+1 {{expected w1 [NF,H,F] of shape [3, 16, 24] and a float element type, got 'tensor<4x16x24xf32>'}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) {kinds = [#loom.moe_expert<ffn>, #loom.moe_expert<ffn>, #loom.moe_expert<zero>, #loom.moe_expert<ffn>]} : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x24xf32>, tensor<4x24x16xf32>, tensor<4x16x24xf32>) -> tensor<20x16xf32>
  return
}

// -----

// w1 with another hidden size.
func.func @f(%r: tensor<20x16xf32>, %o: tensor<4xi64>, %c: tensor<4xi64>, %w1: tensor<4x8x24xf32>, %w2: tensor<4x24x16xf32>, %w3: tensor<4x16x24xf32>) {
  // expected-error @+1 {{expected w1 [NF,H,F] of shape [4, 16, 24] and a float element type, got 'tensor<4x8x24xf32>'}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x8x24xf32>, tensor<4x24x16xf32>, tensor<4x16x24xf32>) -> tensor<20x16xf32>
  return
}

// -----

// w2 not [NF,F,H].
func.func @f(%r: tensor<20x16xf32>, %o: tensor<4xi64>, %c: tensor<4xi64>, %w1: tensor<4x16x24xf32>, %w2: tensor<4x16x24xf32>, %w3: tensor<4x16x24xf32>) {
  // expected-error @+1 {{expected w2 [NF,F,H] of shape [4, 24, 16] and a float element type, got 'tensor<4x16x24xf32>'}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x24xf32>, tensor<4x16x24xf32>, tensor<4x16x24xf32>) -> tensor<20x16xf32>
  return
}

// -----

// SwiGLU without w3.
func.func @f(%r: tensor<20x16xf32>, %o: tensor<4xi64>, %c: tensor<4xi64>, %w1: tensor<4x16x24xf32>, %w2: tensor<4x24x16xf32>, %w3: tensor<4x16x24xf32>) {
  // expected-error @+1 {{activation swiglu requires w3}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2) : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x24xf32>, tensor<4x24x16xf32>) -> tensor<20x16xf32>
  return
}

// -----

// w3 not shaped like w1.
func.func @f(%r: tensor<20x16xf32>, %o: tensor<4xi64>, %c: tensor<4xi64>, %w1: tensor<4x16x24xf32>, %w2: tensor<4x24x16xf32>, %w3: tensor<4x16x32xf32>) {
  // expected-error @+1 {{expected w3 [NF,H,F] of shape [4, 16, 24] and a float element type, got 'tensor<4x16x32xf32>'}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x24xf32>, tensor<4x24x16xf32>, tensor<4x16x32xf32>) -> tensor<20x16xf32>
  return
}

// -----

// w3 with a non-gated activation.
func.func @f(%r: tensor<20x16xf32>, %o: tensor<4xi64>, %c: tensor<4xi64>, %w1: tensor<4x16x24xf32>, %w2: tensor<4x24x16xf32>, %w3: tensor<4x16x24xf32>) {
  // expected-error @+1 {{w3 is only used by activation swiglu}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) {activation = #loom.moe_activation<relu>} : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x24xf32>, tensor<4x24x16xf32>, tensor<4x16x24xf32>) -> tensor<20x16xf32>
  return
}

// -----

// A constant expert without constants.
func.func @f(%r: tensor<20x16xf32>, %o: tensor<4xi64>, %c: tensor<4xi64>, %w1: tensor<3x16x24xf32>, %w2: tensor<3x24x16xf32>, %w3: tensor<3x16x24xf32>) {
  // expected-error @+1 {{expert kind constant requires the constants operand}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) {kinds = [#loom.moe_expert<ffn>, #loom.moe_expert<ffn>, #loom.moe_expert<constant>, #loom.moe_expert<ffn>]} : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<3x16x24xf32>, tensor<3x24x16xf32>, tensor<3x16x24xf32>) -> tensor<20x16xf32>
  return
}

// -----

// Constants without a constant expert.
func.func @f(%r: tensor<20x16xf32>, %o: tensor<4xi64>, %c: tensor<4xi64>, %w1: tensor<4x16x24xf32>, %w2: tensor<4x24x16xf32>, %w3: tensor<4x16x24xf32>, %k: tensor<1x16xf32>) {
  // expected-error @+1 {{constants given but no expert has kind constant}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) constants(%k) : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x24xf32>, tensor<4x24x16xf32>, tensor<4x16x24xf32>, tensor<1x16xf32>) -> tensor<20x16xf32>
  return
}

// -----

// Constants for two experts, one constant expert.
func.func @f(%r: tensor<20x16xf32>, %o: tensor<4xi64>, %c: tensor<4xi64>, %w1: tensor<3x16x24xf32>, %w2: tensor<3x24x16xf32>, %w3: tensor<3x16x24xf32>, %k: tensor<2x16xf32>) {
  // expected-error @+1 {{expected constants [NC,H] of shape [1, 16] and a float element type, got 'tensor<2x16xf32>'}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) constants(%k) {kinds = [#loom.moe_expert<ffn>, #loom.moe_expert<ffn>, #loom.moe_expert<constant>, #loom.moe_expert<ffn>]} : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<3x16x24xf32>, tensor<3x24x16xf32>, tensor<3x16x24xf32>, tensor<2x16xf32>) -> tensor<20x16xf32>
  return
}

// -----

// Experts output not shaped like the rows.
func.func @f(%r: tensor<20x16xf32>, %o: tensor<4xi64>, %c: tensor<4xi64>, %w1: tensor<4x16x24xf32>, %w2: tensor<4x24x16xf32>, %w3: tensor<4x16x24xf32>) {
  // expected-error @+1 {{expected output [R,H] of shape [20, 16] and element type 'f32', got 'tensor<20x8xf32>'}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) : (tensor<20x16xf32>, tensor<4xi64>, tensor<4xi64>, tensor<4x16x24xf32>, tensor<4x24x16xf32>, tensor<4x16x24xf32>) -> tensor<20x8xf32>
  return
}

// -----

// Combine expert output of rank 1.
func.func @f(%y: tensor<20xf32>, %p: tensor<20xi64>, %w: tensor<10x2xf32>) {
  // expected-error @+1 {{expert_output [R,H] must be a rank-2 tensor of floats, got 'tensor<20xf32>'}}
  %out = loom.moe.combine %y, %p, %w : (tensor<20xf32>, tensor<20xi64>, tensor<10x2xf32>) -> tensor<10x8xf32>
  return
}

// -----

// Combine weights of integers.
func.func @f(%y: tensor<20x8xf32>, %p: tensor<20xi64>, %w: tensor<10x2xi64>) {
  // expected-error @+1 {{weights [T,K] must be a rank-2 tensor of floats, got 'tensor<10x2xi64>'}}
  %out = loom.moe.combine %y, %p, %w : (tensor<20x8xf32>, tensor<20xi64>, tensor<10x2xi64>) -> tensor<10x8xf32>
  return
}

// -----

// Permutation of another length.
func.func @f(%y: tensor<20x8xf32>, %p: tensor<10xi64>, %w: tensor<10x2xf32>) {
  // expected-error @+1 {{expected permutation [R] of shape [20] and element type 'i64', got 'tensor<10xi64>'}}
  %out = loom.moe.combine %y, %p, %w : (tensor<20x8xf32>, tensor<10xi64>, tensor<10x2xf32>) -> tensor<10x8xf32>
  return
}

// -----

// Combine output for another number of tokens.
func.func @f(%y: tensor<20x8xf32>, %p: tensor<20xi64>, %w: tensor<10x2xf32>) {
  // expected-error @+1 {{expected output [T,H] of shape [10, 8] and element type 'f32', got 'tensor<20x8xf32>'}}
  %out = loom.moe.combine %y, %p, %w : (tensor<20x8xf32>, tensor<20xi64>, tensor<10x2xf32>) -> tensor<20x8xf32>
  return
}

// -----

// Layer input of rank 3.
func.func @f(%x: tensor<1x16x16xf32>, %g: tensor<16x8xf32>, %w1: tensor<8x16x32xf32>, %w2: tensor<8x32x16xf32>, %w3: tensor<8x16x32xf32>) {
  // expected-error @+1 {{input [T,H] must be a rank-2 tensor of floats, got 'tensor<1x16x16xf32>'}}
  %out, %d = loom.moe.ffn %x, %g weights(%w1, %w2, %w3) {k = 2} : (tensor<1x16x16xf32>, tensor<16x8xf32>, tensor<8x16x32xf32>, tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> (tensor<16x16xf32>, tensor<i64>)
  return
}

// -----

// Router weight of rank 3.
func.func @f(%x: tensor<16x16xf32>, %g: tensor<1x16x8xf32>, %w1: tensor<8x16x32xf32>, %w2: tensor<8x32x16xf32>, %w3: tensor<8x16x32xf32>) {
  // expected-error @+1 {{router_weight [H,E] must be a rank-2 tensor of floats, got 'tensor<1x16x8xf32>'}}
  %out, %d = loom.moe.ffn %x, %g weights(%w1, %w2, %w3) {k = 2} : (tensor<16x16xf32>, tensor<1x16x8xf32>, tensor<8x16x32xf32>, tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> (tensor<16x16xf32>, tensor<i64>)
  return
}

// -----

// Router weight with a dynamic number of experts.
func.func @f(%x: tensor<16x16xf32>, %g: tensor<16x?xf32>, %w1: tensor<8x16x32xf32>, %w2: tensor<8x32x16xf32>, %w3: tensor<8x16x32xf32>) {
  // expected-error @+1 {{the number of experts (router_weight dimension 1) must be static}}
  %out, %d = loom.moe.ffn %x, %g weights(%w1, %w2, %w3) {k = 2} : (tensor<16x16xf32>, tensor<16x?xf32>, tensor<8x16x32xf32>, tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> (tensor<16x16xf32>, tensor<i64>)
  return
}

// -----

// Router weight for another hidden size (HF's [E,H] layout).
func.func @f(%x: tensor<16x16xf32>, %g: tensor<8x16xf32>, %w1: tensor<8x16x32xf32>, %w2: tensor<8x32x16xf32>, %w3: tensor<8x16x32xf32>) {
  // expected-error @+1 {{expected router_weight [H,E] of shape [16, 16] and a float element type, got 'tensor<8x16xf32>'}}
  %out, %d = loom.moe.ffn %x, %g weights(%w1, %w2, %w3) {k = 2} : (tensor<16x16xf32>, tensor<8x16xf32>, tensor<8x16x32xf32>, tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> (tensor<16x16xf32>, tensor<i64>)
  return
}

// -----

// Layer with k above E.
func.func @f(%x: tensor<16x16xf32>, %g: tensor<16x8xf32>, %w1: tensor<8x16x32xf32>, %w2: tensor<8x32x16xf32>, %w3: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'k' (9) exceeds the number of experts (8)}}
  %out, %d = loom.moe.ffn %x, %g weights(%w1, %w2, %w3) {k = 9} : (tensor<16x16xf32>, tensor<16x8xf32>, tensor<8x16x32xf32>, tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> (tensor<16x16xf32>, tensor<i64>)
  return
}

// -----

// Layer with top_p out of range.
func.func @f(%x: tensor<16x16xf32>, %g: tensor<16x8xf32>, %w1: tensor<8x16x32xf32>, %w2: tensor<8x32x16xf32>, %w3: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'top_p' must be in (0, 1], got 2}}
  %out, %d = loom.moe.ffn %x, %g weights(%w1, %w2, %w3) {mode = #loom.moe_routing<top_p>, top_p = 2.0 : f32, k_max = 2} : (tensor<16x16xf32>, tensor<16x8xf32>, tensor<8x16x32xf32>, tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> (tensor<16x16xf32>, tensor<i64>)
  return
}

// -----

// Layer with kinds for another number of experts.
func.func @f(%x: tensor<16x16xf32>, %g: tensor<16x8xf32>, %w1: tensor<8x16x32xf32>, %w2: tensor<8x32x16xf32>, %w3: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'kinds' has 2 entries but there are 8 experts}}
  %out, %d = loom.moe.ffn %x, %g weights(%w1, %w2, %w3) {k = 2, kinds = [#loom.moe_expert<ffn>, #loom.moe_expert<zero>]} : (tensor<16x16xf32>, tensor<16x8xf32>, tensor<8x16x32xf32>, tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> (tensor<16x16xf32>, tensor<i64>)
  return
}

// -----

// Layer expert weights for another number of experts.
func.func @f(%x: tensor<16x16xf32>, %g: tensor<16x8xf32>, %w1: tensor<4x16x32xf32>, %w2: tensor<8x32x16xf32>, %w3: tensor<8x16x32xf32>) {
  // expected-error @+1 {{expected w1 [NF,H,F] of shape [8, 16, 32] and a float element type, got 'tensor<4x16x32xf32>'}}
  %out, %d = loom.moe.ffn %x, %g weights(%w1, %w2, %w3) {k = 2} : (tensor<16x16xf32>, tensor<16x8xf32>, tensor<4x16x32xf32>, tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> (tensor<16x16xf32>, tensor<i64>)
  return
}

// -----

// Layer output not [T,H].
func.func @f(%x: tensor<16x16xf32>, %g: tensor<16x8xf32>, %w1: tensor<8x16x32xf32>, %w2: tensor<8x32x16xf32>, %w3: tensor<8x16x32xf32>) {
  // expected-error @+1 {{expected output [T,H] of shape [16, 16] and element type 'f32', got 'tensor<16x8xf32>'}}
  %out, %d = loom.moe.ffn %x, %g weights(%w1, %w2, %w3) {k = 2} : (tensor<16x16xf32>, tensor<16x8xf32>, tensor<8x16x32xf32>, tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> (tensor<16x8xf32>, tensor<i64>)
  return
}

// -----

// Layer dropped count not tensor<i64>.
func.func @f(%x: tensor<16x16xf32>, %g: tensor<16x8xf32>, %w1: tensor<8x16x32xf32>, %w2: tensor<8x32x16xf32>, %w3: tensor<8x16x32xf32>) {
  // expected-error @+1 {{expected dropped of shape [] and element type 'i64', got 'tensor<i32>'}}
  %out, %d = loom.moe.ffn %x, %g weights(%w1, %w2, %w3) {k = 2} : (tensor<16x16xf32>, tensor<16x8xf32>, tensor<8x16x32xf32>, tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> (tensor<16x16xf32>, tensor<i32>)
  return
}

// -----

// Quantization attributes on float weights.
func.func @f(%r: tensor<32x16xf32>, %o: tensor<8xi64>, %c: tensor<8xi64>, %w1: tensor<8x16x32xf32>, %w2: tensor<8x32x16xf32>, %w3: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'bits', 'group_size' and zero_points apply only to quantized weights (with scales)}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) {bits = 4} : (tensor<32x16xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x16x32xf32>, tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<32x16xf32>
  return
}

// -----

// Unsupported storage width.
func.func @f(%r: tensor<32x16xf32>, %o: tensor<8xi64>, %c: tensor<8xi64>, %w1: tensor<8x16x32xi8>, %w2: tensor<8x32x16xi8>, %w3: tensor<8x16x32xi8>, %s1: tensor<8x1x32xf32>, %s2: tensor<8x1x16xf32>, %s3: tensor<8x1x32xf32>) {
  // expected-error @+1 {{'bits' must be 8 or 4 (int8 or packed int4 codes), got 3}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) scales(%s1, %s2, %s3) {bits = 3} : (tensor<32x16xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x16x32xi8>, tensor<8x32x16xi8>, tensor<8x16x32xi8>, tensor<8x1x32xf32>, tensor<8x1x16xf32>, tensor<8x1x32xf32>) -> tensor<32x16xf32>
  return
}

// -----

// A scale missing.
func.func @f(%r: tensor<32x16xf32>, %o: tensor<8xi64>, %c: tensor<8xi64>, %w1: tensor<8x16x32xi8>, %w2: tensor<8x32x16xi8>, %w3: tensor<8x16x32xi8>, %s1: tensor<8x1x32xf32>, %s2: tensor<8x1x16xf32>) {
  // expected-error @+1 {{scales needs one tensor per expert weight (3), got 2}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) scales(%s1, %s2) : (tensor<32x16xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x16x32xi8>, tensor<8x32x16xi8>, tensor<8x16x32xi8>, tensor<8x1x32xf32>, tensor<8x1x16xf32>) -> tensor<32x16xf32>
  return
}

// -----

// Zero points missing for some scales.
func.func @f(%r: tensor<32x16xf32>, %o: tensor<8xi64>, %c: tensor<8xi64>, %w1: tensor<8x16x32xi8>, %w2: tensor<8x32x16xi8>, %w3: tensor<8x16x32xi8>, %s1: tensor<8x1x32xf32>, %s2: tensor<8x1x16xf32>, %s3: tensor<8x1x32xf32>, %z1: tensor<8x1x32xi8>) {
  // expected-error @+1 {{zero_points needs one tensor per scale (3), got 1}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) scales(%s1, %s2, %s3) zero_points(%z1) : (tensor<32x16xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x16x32xi8>, tensor<8x32x16xi8>, tensor<8x16x32xi8>, tensor<8x1x32xf32>, tensor<8x1x16xf32>, tensor<8x1x32xf32>, tensor<8x1x32xi8>) -> tensor<32x16xf32>
  return
}

// -----

// Quantized weight with a dynamic input dimension (w2's F).
func.func @f(%r: tensor<32x16xf32>, %o: tensor<8xi64>, %c: tensor<8xi64>, %w1: tensor<8x16x?xi8>, %w2: tensor<8x?x16xi8>, %w3: tensor<8x16x?xi8>, %s1: tensor<8x1x?xf32>, %s2: tensor<8x1x16xf32>, %s3: tensor<8x1x?xf32>) {
  // expected-error @+1 {{quantized w2 needs a static input dimension}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) scales(%s1, %s2, %s3) : (tensor<32x16xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x16x?xi8>, tensor<8x?x16xi8>, tensor<8x16x?xi8>, tensor<8x1x?xf32>, tensor<8x1x16xf32>, tensor<8x1x?xf32>) -> tensor<32x16xf32>
  return
}

// -----

// int4 codes with an odd input dimension (w2's F = 31).
func.func @f(%r: tensor<32x16xf32>, %o: tensor<8xi64>, %c: tensor<8xi64>, %w1: tensor<8x8x31xi8>, %w2: tensor<8x15x16xi8>, %w3: tensor<8x8x31xi8>, %s1: tensor<8x1x31xf32>, %s2: tensor<8x1x16xf32>, %s3: tensor<8x1x31xf32>) {
  // expected-error @+1 {{bits = 4 packs two codes per byte: w2 needs an even input dimension, got 31}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) scales(%s1, %s2, %s3) {bits = 4} : (tensor<32x16xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x8x31xi8>, tensor<8x15x16xi8>, tensor<8x8x31xi8>, tensor<8x1x31xf32>, tensor<8x1x16xf32>, tensor<8x1x31xf32>) -> tensor<32x16xf32>
  return
}

// -----

// Group size not dividing the input dimension.
func.func @f(%r: tensor<32x16xf32>, %o: tensor<8xi64>, %c: tensor<8xi64>, %w1: tensor<8x16x32xi8>, %w2: tensor<8x32x16xi8>, %w3: tensor<8x16x32xi8>, %s1: tensor<8x2x32xf32>, %s2: tensor<8x4x16xf32>, %s3: tensor<8x2x32xf32>) {
  // expected-error @+1 {{'group_size' must be positive, divide w1's input dimension (16) and be even for bits = 4, got 6}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) scales(%s1, %s2, %s3) {group_size = 6} : (tensor<32x16xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x16x32xi8>, tensor<8x32x16xi8>, tensor<8x16x32xi8>, tensor<8x2x32xf32>, tensor<8x4x16xf32>, tensor<8x2x32xf32>) -> tensor<32x16xf32>
  return
}

// -----

// Odd group size for int4.
func.func @f(%r: tensor<32x16xf32>, %o: tensor<8xi64>, %c: tensor<8xi64>, %w1: tensor<8x8x32xi8>, %w2: tensor<8x16x16xi8>, %w3: tensor<8x8x32xi8>, %s1: tensor<8x16x32xf32>, %s2: tensor<8x32x16xf32>, %s3: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'group_size' must be positive, divide w1's input dimension (16) and be even for bits = 4, got 1}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) scales(%s1, %s2, %s3) {bits = 4, group_size = 1} : (tensor<32x16xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x8x32xi8>, tensor<8x16x16xi8>, tensor<8x8x32xi8>, tensor<8x16x32xf32>, tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<32x16xf32>
  return
}

// -----

// Float codes.
func.func @f(%r: tensor<32x16xf32>, %o: tensor<8xi64>, %c: tensor<8xi64>, %w1: tensor<8x16x32xf32>, %w2: tensor<8x32x16xi8>, %w3: tensor<8x16x32xi8>, %s1: tensor<8x1x32xf32>, %s2: tensor<8x1x16xf32>, %s3: tensor<8x1x32xf32>) {
  // expected-error @+1 {{expected w1 codes of shape [8, 16, 32] and element type 'i8', got 'tensor<8x16x32xf32>'}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) scales(%s1, %s2, %s3) : (tensor<32x16xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x16x32xf32>, tensor<8x32x16xi8>, tensor<8x16x32xi8>, tensor<8x1x32xf32>, tensor<8x1x16xf32>, tensor<8x1x32xf32>) -> tensor<32x16xf32>
  return
}

// -----

// int4 codes not packed (w3 holds K, not K/2, rows).
func.func @f(%r: tensor<32x16xf32>, %o: tensor<8xi64>, %c: tensor<8xi64>, %w1: tensor<8x8x32xi8>, %w2: tensor<8x16x16xi8>, %w3: tensor<8x16x32xi8>, %s1: tensor<8x1x32xf32>, %s2: tensor<8x1x16xf32>, %s3: tensor<8x1x32xf32>) {
  // expected-error @+1 {{expected w3 codes of shape [8, 8, 32] and element type 'i8', got 'tensor<8x16x32xi8>'}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) scales(%s1, %s2, %s3) {bits = 4} : (tensor<32x16xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x8x32xi8>, tensor<8x16x16xi8>, tensor<8x16x32xi8>, tensor<8x1x32xf32>, tensor<8x1x16xf32>, tensor<8x1x32xf32>) -> tensor<32x16xf32>
  return
}

// -----

// Scales per channel given for groups.
func.func @f(%r: tensor<32x16xf32>, %o: tensor<8xi64>, %c: tensor<8xi64>, %w1: tensor<8x16x32xi8>, %w2: tensor<8x32x16xi8>, %w3: tensor<8x16x32xi8>, %s1: tensor<8x1x32xf32>, %s2: tensor<8x1x16xf32>, %s3: tensor<8x1x32xf32>) {
  // expected-error @+1 {{expected w1 scales [NF,G,N] of shape [8, 2, 32] and element type 'f32', got 'tensor<8x1x32xf32>'}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) scales(%s1, %s2, %s3) {group_size = 8} : (tensor<32x16xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x16x32xi8>, tensor<8x32x16xi8>, tensor<8x16x32xi8>, tensor<8x1x32xf32>, tensor<8x1x16xf32>, tensor<8x1x32xf32>) -> tensor<32x16xf32>
  return
}

// -----

// Zero points of the wrong type.
func.func @f(%r: tensor<32x16xf32>, %o: tensor<8xi64>, %c: tensor<8xi64>, %w1: tensor<8x16x32xi8>, %w2: tensor<8x32x16xi8>, %w3: tensor<8x16x32xi8>, %s1: tensor<8x1x32xf32>, %s2: tensor<8x1x16xf32>, %s3: tensor<8x1x32xf32>, %z1: tensor<8x1x32xi32>, %z2: tensor<8x1x16xi8>, %z3: tensor<8x1x32xi8>) {
  // expected-error @+1 {{expected w1 zero_points [NF,G,N] of shape [8, 1, 32] and element type 'i8', got 'tensor<8x1x32xi32>'}}
  %y = loom.moe.experts %r, %o, %c weights(%w1, %w2, %w3) scales(%s1, %s2, %s3) zero_points(%z1, %z2, %z3) : (tensor<32x16xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x16x32xi8>, tensor<8x32x16xi8>, tensor<8x16x32xi8>, tensor<8x1x32xf32>, tensor<8x1x16xf32>, tensor<8x1x32xf32>, tensor<8x1x32xi32>, tensor<8x1x16xi8>, tensor<8x1x32xi8>) -> tensor<32x16xf32>
  return
}

// -----

// Layer with a scale missing (loom.moe.ffn shares the checks).
func.func @f(%x: tensor<16x16xf32>, %g: tensor<16x8xf32>, %w1: tensor<8x16x32xi8>, %w2: tensor<8x32x16xi8>, %w3: tensor<8x16x32xi8>, %s1: tensor<8x1x32xf32>) {
  // expected-error @+1 {{scales needs one tensor per expert weight (3), got 1}}
  %out, %d = loom.moe.ffn %x, %g weights(%w1, %w2, %w3) scales(%s1) {k = 2} : (tensor<16x16xf32>, tensor<16x8xf32>, tensor<8x16x32xi8>, tensor<8x32x16xi8>, tensor<8x16x32xi8>, tensor<8x1x32xf32>) -> (tensor<16x16xf32>, tensor<i64>)
  return
}
