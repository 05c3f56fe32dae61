// RUN: loom-opt %s -split-input-file -verify-diagnostics
// Every diagnostic of loom.linear_attention and loom.block_sparse_attention, one case each
// (loom.angular_attention: invalid-angular-attention.mlir).

// Linear attention works on [B,H,S,D] tensors.
func.func @f(%q: tensor<2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{query, key and value must be rank 4 [B,H,S,D], got ranks 3, 4 and 4}}
  %o = loom.linear_attention %q, %k, %v
      : (tensor<2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
      -> tensor<1x2x4x8xf32>
  return
}

// -----

// Integer attention is not linear attention.
func.func @f(%q: tensor<1x2x4x8xi32>, %k: tensor<1x2x4x8xi32>, %v: tensor<1x2x4x8xi32>) {
  // expected-error @+1 {{query element type must be a float, got 'i32'}}
  %o = loom.linear_attention %q, %k, %v
      : (tensor<1x2x4x8xi32>, tensor<1x2x4x8xi32>, tensor<1x2x4x8xi32>)
      -> tensor<1x2x4x8xi32>
  return
}

// -----

// Mixed element types.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf16>, %v: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{query, key and value must share an element type}}
  %o = loom.linear_attention %q, %k, %v
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf16>, tensor<1x2x4x8xf32>)
      -> tensor<1x2x4x8xf32>
  return
}

// -----

// Head dims fix the state shape.
func.func @f(%q: tensor<1x2x4x?xf32>, %k: tensor<1x2x4x?xf32>, %v: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{head dims must be static}}
  %o = loom.linear_attention %q, %k, %v
      : (tensor<1x2x4x?xf32>, tensor<1x2x4x?xf32>, tensor<1x2x4x8xf32>)
      -> tensor<1x2x4x8xf32>
  return
}

// -----

// Key batch.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<2x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{key batch is 2, expected 1}}
  %o = loom.linear_attention %q, %k, %v
      : (tensor<1x2x4x8xf32>, tensor<2x2x4x8xf32>, tensor<1x2x4x8xf32>)
      -> tensor<1x2x4x8xf32>
  return
}

// -----

// No GQA in linear attention.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x1x4x8xf32>, %v: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{key head count is 1, expected 2}}
  %o = loom.linear_attention %q, %k, %v
      : (tensor<1x2x4x8xf32>, tensor<1x1x4x8xf32>, tensor<1x2x4x8xf32>)
      -> tensor<1x2x4x8xf32>
  return
}

// -----

// Key head dim.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x4xf32>, %v: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{key head dim is 4, expected 8}}
  %o = loom.linear_attention %q, %k, %v
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>)
      -> tensor<1x2x4x8xf32>
  return
}

// -----

// Value batch.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<3x2x4x8xf32>) {
  // expected-error @+1 {{value batch is 3, expected 1}}
  %o = loom.linear_attention %q, %k, %v
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<3x2x4x8xf32>)
      -> tensor<1x2x4x8xf32>
  return
}

// -----

// Value heads.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x4x4x8xf32>) {
  // expected-error @+1 {{value head count is 4, expected 2}}
  %o = loom.linear_attention %q, %k, %v
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x4x4x8xf32>)
      -> tensor<1x2x4x8xf32>
  return
}

// -----

// Value length.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x5x8xf32>) {
  // expected-error @+1 {{value sequence length is 5, expected 4}}
  %o = loom.linear_attention %q, %k, %v
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x5x8xf32>)
      -> tensor<1x2x4x8xf32>
  return
}

// -----

// Causal needs one position per query and key.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) {
  // expected-error @+1 {{causal requires equal query and key lengths, got 4 and 6}}
  %o = loom.linear_attention %q, %k, %v {causal}
      : (tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>)
      -> tensor<1x2x4x8xf32>
  return
}

// -----

// Result rank/type.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{result must be a rank-4 tensor of 'f32' [B,H,S,Dv], got 'tensor<1x2x4x8xf16>'}}
  %o = loom.linear_attention %q, %k, %v
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
      -> tensor<1x2x4x8xf16>
  return
}

// -----

// Result batch.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{result batch is 2, expected 1}}
  %o = loom.linear_attention %q, %k, %v
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
      -> tensor<2x2x4x8xf32>
  return
}

// -----

// Result heads.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{result head count is 3, expected 2}}
  %o = loom.linear_attention %q, %k, %v
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
      -> tensor<1x3x4x8xf32>
  return
}

// -----

// Result length.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{result query length is 5, expected 4}}
  %o = loom.linear_attention %q, %k, %v
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
      -> tensor<1x2x5x8xf32>
  return
}

// -----

// Result value dim.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{result value dim is 4, expected 8}}
  %o = loom.linear_attention %q, %k, %v
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
      -> tensor<1x2x4x4xf32>
  return
}

// -----

// State is S and z together.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x2x8x8xf32>) {
  // expected-error @+1 {{state takes two operands (S [B,H,D,Dv] and z [B,H,D]), got 1}}
  %o:2 = loom.linear_attention %q, %k, %v state(%s)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>)
  return
}

// -----

// State results mirror state operands.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x2x8x8xf32>, %z: tensor<1x2x8xf32>) {
  // expected-error @+1 {{expects 2 state results (one per state operand), got 0}}
  %o = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
      -> tensor<1x2x4x8xf32>
  return
}

// -----

// State results without state operands.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{expects 0 state results (one per state operand), got 2}}
  %o:3 = loom.linear_attention %q, %k, %v
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
  return
}

// -----

// State is f32 whatever the storage type.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x2x8x8xf16>, %z: tensor<1x2x8xf32>) {
  // expected-error @+1 {{state must be a rank-4 tensor of 'f32' [B,H,D,Dv], got 'tensor<1x2x8x8xf16>'}}
  %o:3 = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x8x8xf16>, tensor<1x2x8xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
  return
}

// -----

// State key dim.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x2x4x8xf32>, %z: tensor<1x2x8xf32>) {
  // expected-error @+1 {{state key dim is 4, expected 8}}
  %o:3 = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x8xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
  return
}

// -----

// State value dim.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x2x8x2xf32>, %z: tensor<1x2x8xf32>) {
  // expected-error @+1 {{state value dim is 2, expected 8}}
  %o:3 = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x8x2xf32>, tensor<1x2x8xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
  return
}

// -----

// State batch.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<2x2x8x8xf32>, %z: tensor<1x2x8xf32>) {
  // expected-error @+1 {{state batch is 2, expected 1}}
  %o:3 = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<2x2x8x8xf32>, tensor<1x2x8xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
  return
}

// -----

// State heads.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x1x8x8xf32>, %z: tensor<1x2x8xf32>) {
  // expected-error @+1 {{state head count is 1, expected 2}}
  %o:3 = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x1x8x8xf32>, tensor<1x2x8xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
  return
}

// -----

// Normaliser rank.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x2x8x8xf32>, %z: tensor<1x2x8x1xf32>) {
  // expected-error @+1 {{normalizer must be a rank-3 tensor of 'f32' [B,H,D]}}
  %o:3 = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
  return
}

// -----

// Normaliser key dim.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x2x8x8xf32>, %z: tensor<1x2x7xf32>) {
  // expected-error @+1 {{normalizer key dim is 7, expected 8}}
  %o:3 = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x7xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
  return
}

// -----

// Normaliser batch.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x2x8x8xf32>, %z: tensor<2x2x8xf32>) {
  // expected-error @+1 {{normalizer batch is 2, expected 1}}
  %o:3 = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<2x2x8xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
  return
}

// -----

// Normaliser heads.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x2x8x8xf32>, %z: tensor<1x1x8xf32>) {
  // expected-error @+1 {{normalizer head count is 1, expected 2}}
  %o:3 = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x1x8xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
  return
}

// -----

// State results are f32 too.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x2x8x8xf32>, %z: tensor<1x2x8xf32>) {
  // expected-error @+1 {{state result must be a rank-4 tensor of 'f32' [B,H,D,Dv], got 'tensor<1x2x8x8xbf16>'}}
  %o:3 = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x8xbf16>, tensor<1x2x8xf32>)
  return
}

// -----

// State result batch.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x2x8x8xf32>, %z: tensor<1x2x8xf32>) {
  // expected-error @+1 {{state result batch is 3, expected 1}}
  %o:3 = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<3x2x8x8xf32>, tensor<1x2x8xf32>)
  return
}

// -----

// Normaliser result type.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x2x8x8xf32>, %z: tensor<1x2x8xf32>) {
  // expected-error @+1 {{normalizer result must be a rank-3 tensor of 'f32' [B,H,D], got 'tensor<1x2xf32>'}}
  %o:3 = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2xf32>)
  return
}

// -----

// Normaliser result key dim.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x2x8x8xf32>, %z: tensor<1x2x8xf32>) {
  // expected-error @+1 {{normalizer result key dim is 4, expected 8}}
  %o:3 = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x4xf32>)
  return
}

// -----

// State result shape.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x2x8x8xf32>, %z: tensor<1x2x8xf32>) {
  // expected-error @+1 {{state result value dim is 3, expected 8}}
  %o:3 = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x3xf32>, tensor<1x2x8xf32>)
  return
}

// -----

// Normaliser result shape.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<1x2x8x8xf32>, %z: tensor<1x2x8xf32>) {
  // expected-error @+1 {{normalizer result head count is 5, expected 2}}
  %o:3 = loom.linear_attention %q, %k, %v state(%s, %z)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8xf32>)
      -> (tensor<1x2x4x8xf32>, tensor<1x2x8x8xf32>, tensor<1x5x8xf32>)
  return
}

// -----

// eps keeps the division defined.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{eps must be finite and positive, got 0}}
  %o = loom.linear_attention %q, %k, %v {eps = 0.0 : f32}
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
      -> tensor<1x2x4x8xf32>
  return
}

// -----

// Negative eps.
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{eps must be finite and positive, got -1}}
  %o = loom.linear_attention %q, %k, %v {eps = -1.0 : f32}
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
      -> tensor<1x2x4x8xf32>
  return
}

// -----

// Block-sparse attention works on [B,H,S,D] tensors.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16xf32>) {
  // expected-error @+1 {{query, key and value must be rank 4 [B,H,S,D], got ranks 4, 4 and 3}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Integer inputs.
func.func @f(%q: tensor<1x4x16x8xi8>, %k: tensor<1x2x16x8xi8>, %v: tensor<1x2x16x8xi8>) {
  // expected-error @+1 {{query element type must be a float, got 'i8'}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xi8>, tensor<1x2x16x8xi8>, tensor<1x2x16x8xi8>) -> tensor<1x4x16x8xi8>
  return
}

// -----

// Mixed element types.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xbf16>) {
  // expected-error @+1 {{query, key and value must share an element type}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xbf16>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Head dim.
func.func @f(%q: tensor<1x4x16x?xf32>, %k: tensor<1x2x16x?xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{query head dim must be static}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x?xf32>, tensor<1x2x16x?xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Lengths fix the block counts.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{query and key lengths must be static (they fix the block counts)}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Key batch.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<2x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{key batch is 2, expected 1}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<2x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Key head dim.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x16xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{key head dim is 16, expected 8}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Value batch.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{value batch is 2, expected 1}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<2x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Value heads.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x4x16x8xf32>) {
  // expected-error @+1 {{value head count is 4, expected 2}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Value length.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x8x8xf32>) {
  // expected-error @+1 {{value sequence length is 8, expected 16}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// GQA needs a whole number of query heads per kv head.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x3x16x8xf32>, %v: tensor<1x3x16x8xf32>) {
  // expected-error @+1 {{query heads (4) must be a multiple of key/value heads (3)}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x3x16x8xf32>, tensor<1x3x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Query positions are Skv - Sq + i.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x8xf32>) {
  // expected-error @+1 {{query length (16) exceeds key length (8)}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Result type.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{result must be a rank-4 tensor of 'f32' [B,Hq,Sq,Dv]}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16xf32>
  return
}

// -----

// Result batch.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{result batch is 2, expected 1}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<2x4x16x8xf32>
  return
}

// -----

// Result length.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{result query length is 8, expected 16}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// Result heads.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{result head count is 2, expected 4}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return
}

// -----

// Result value dim.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{result value dim is 4, expected 8}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x4xf32>
  return
}

// -----

// Block sizes.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{block sizes must be at least 1, got block_q = 0 and block_k = 8}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 0, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Query blocks must tile the queries.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{block_q (6) must divide the query length (16)}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 6, block_k = 8, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Key blocks must tile the keys.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{block_k (5) must divide the key length (16)}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 5, top_k = 1}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Static and dynamic selection are exclusive.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{takes exactly one of block_mask, top_k and threshold, got 2}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1, block_mask = dense<true> : tensor<2x2xi1>}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Some selection is needed.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{requires a block_mask, a top_k or a threshold}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Mask shape.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{block_mask must be an i1 tensor of shape [2, 4] (query blocks x key blocks), got 'tensor<2x2xi1>'}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 4, block_mask = dense<true> : tensor<2x2xi1>}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Mask element type.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{block_mask must be an i1 tensor of shape [2, 2] (query blocks x key blocks), got 'tensor<2x2xi8>'}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, block_mask = dense<1> : tensor<2x2xi8>}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// top_k below 1.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{top_k must be between 1 and the number of key blocks (2), got 0}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 0}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// top_k above the key block count.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{top_k must be between 1 and the number of key blocks (4), got 5}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 4, top_k = 5}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// Scale.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{scale must be finite and non-zero}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1, scale = 0.0 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}


// -----

// The feature map is a closed set.
func.func @f(%q: tensor<1x2x4x8xf32>) {
  // expected-error @+1 {{unknown feature map 'gelu' (expected elu_plus_one, relu or identity)}}
  %o = loom.linear_attention %q, %q, %q feature_map(gelu)
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return
}

// -----

// top_k and threshold are exclusive.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{takes exactly one of block_mask, top_k and threshold, got 2}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1, threshold = 0.5 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// All three selections at once.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{takes exactly one of block_mask, top_k and threshold, got 3}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, top_k = 1, threshold = 0.5 : f32, block_mask = dense<true> : tensor<2x2xi1>}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// A threshold of 0 keeps nothing but the own block: rejected.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{threshold must be in (0, 1], got 0}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, threshold = 0.0 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// A threshold above 1 is never reached.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{threshold must be in (0, 1], got 1.5}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, threshold = 1.5 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}

// -----

// NaN threshold.
func.func @f(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{threshold must be in (0, 1], got nan}}
  %o = loom.block_sparse_attention %q, %k, %v {block_q = 8, block_k = 8, threshold = 0x7FC00000 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  return
}
