// RUN: loom-opt %s -split-input-file -verify-diagnostics

// Every message of !loom.kv_cache's parser and verifier has a case here.

// Three dimensions.
// expected-error @+1 {{expected 4 dimensions (batch x heads x capacity x head_dim), got 3}}
func.func private @g(%c: !loom.kv_cache<1x2x32xf32>)

// -----

// Zero capacity.
// expected-error @+1 {{kv_cache dimensions must be static and positive, got 1x2x0x16 with value_dim 16}}
func.func private @g(%c: !loom.kv_cache<1x2x0x16xf32>)

// -----

// Integer storage.
// expected-error @+1 {{kv_cache element type must be a float type, got 'i8'}}
func.func private @g(%c: !loom.kv_cache<1x2x32x16xi8>)

// -----

// Bits.
// expected-error @+1 {{kv_cache quant bits must be 2, 4 or 8, got 3}}
func.func private @g(%c: !loom.kv_cache<1x2x32x16xf32, quant = <bits = 3>>)

// -----

// Bits missing.
// expected-error @+1 {{kv_cache quant requires 'bits' in {2, 4, 8}}}
func.func private @g(%c: !loom.kv_cache<1x2x32x16xf32, quant = <group = 16>>)

// -----

// Group not positive.
// expected-error @+1 {{kv_cache quant group must be positive, got -2}}
func.func private @g(%c: !loom.kv_cache<1x2x32x16xf32, quant = <bits = 4, group = -2>>)

// -----

// Group not dividing capacity.
// expected-error @+1 {{kv_cache quant group (16) must divide the capacity (30)}}
func.func private @g(%c: !loom.kv_cache<1x2x30x16xf32, quant = <bits = 4, group = 16>>)

// -----

// Group not dividing the value dim.
// expected-error @+1 {{kv_cache quant group (16) must divide the value dim (8)}}
func.func private @g(%c: !loom.kv_cache<1x2x32x16xf32, value_dim = 8, quant = <bits = 4, group = 16>>)

// -----

// 2-bit codes are packed four to a byte: the head dim must be a multiple of 4.
// expected-error @+1 {{kv_cache 2-bit codes are packed 4 to a byte: head dim (6) and value dim (4) must be multiples of 4}}
func.func private @g(%c: !loom.kv_cache<1x2x32x6xf32, value_dim = 4, quant = <bits = 2, group = 4>>)

// -----

// 4-bit codes are packed two to a byte: the value dim must be even.
// expected-error @+1 {{kv_cache 4-bit codes are packed 2 to a byte: head dim (4) and value dim (1) must be multiples of 2}}
func.func private @g(%c: !loom.kv_cache<1x2x32x4xf32, value_dim = 1, quant = <bits = 4, group = 1>>)

// -----

// Residual beyond capacity.
// expected-error @+1 {{kv_cache quant residual must be in [0, capacity], got 64}}
func.func private @g(%c: !loom.kv_cache<1x2x32x16xf32, quant = <bits = 4, group = 16, residual = 64>>)

// -----

// Unknown parameter.
// expected-error @+1 {{unknown kv_cache parameter 'heads', expected 'value_dim' or 'quant'}}
func.func private @g(%c: !loom.kv_cache<1x2x32x16xf32, heads = 4>)

// -----

// Unknown quant field.
// expected-error @+1 {{unknown quant field 'scale', expected 'bits', 'group' or 'residual'}}
func.func private @g(%c: !loom.kv_cache<1x2x32x16xf32, quant = <bits = 4, scale = 2>>)
