// RUN: loom-opt %s -split-input-file -verify-diagnostics

// Every verifier message of loom.shift_matmul, loom.bcq_matmul and
// loom.adder_matmul has a case here.

// Rank of the input.
func.func @f(%x: tensor<1x4x16xf32>, %s: tensor<8x16xi8>, %p: tensor<8x16xi8>) {
  // expected-error @+1 {{input must be rank 2 [M,K], got rank 3}}
  %y = loom.shift_matmul %x, %s, %p : (tensor<1x4x16xf32>, tensor<8x16xi8>, tensor<8x16xi8>) -> tensor<4x8xf32>
  return
}

// -----

// Rank of the sign.
func.func @f(%x: tensor<4x16xf32>, %s: tensor<16xi8>, %p: tensor<16xi8>) {
  // expected-error @+1 {{sign must be rank 2 [N,K], got rank 1}}
  %y = loom.shift_matmul %x, %s, %p : (tensor<4x16xf32>, tensor<16xi8>, tensor<16xi8>) -> tensor<4x8xf32>
  return
}

// -----

// K of the weights differs from the input's.
func.func @f(%x: tensor<4x16xf32>, %s: tensor<8x8xi8>, %p: tensor<8x8xi8>) {
  // expected-error @+1 {{sign has K = 8 but the input has K = 16}}
  %y = loom.shift_matmul %x, %s, %p : (tensor<4x16xf32>, tensor<8x8xi8>, tensor<8x8xi8>) -> tensor<4x8xf32>
  return
}

// -----

// Result shape.
func.func @f(%x: tensor<4x16xf32>, %s: tensor<8x16xi8>, %p: tensor<8x16xi8>) {
  // expected-error @+1 {{result must be [M,N] = [4, 8], got [4, 16]}}
  %y = loom.shift_matmul %x, %s, %p : (tensor<4x16xf32>, tensor<8x16xi8>, tensor<8x16xi8>) -> tensor<4x16xf32>
  return
}

// -----

// Exponent and sign shapes differ.
func.func @f(%x: tensor<4x16xf32>, %s: tensor<8x16xi8>, %p: tensor<8x8xi8>) {
  // expected-error @+1 {{exponent shape [8, 8] must match sign shape [8, 16]}}
  %y = loom.shift_matmul %x, %s, %p : (tensor<4x16xf32>, tensor<8x16xi8>, tensor<8x8xi8>) -> tensor<4x8xf32>
  return
}

// -----

// Sign element type.
func.func @f(%x: tensor<4x16xf32>, %s: tensor<8x16xi32>, %p: tensor<8x16xi8>) {
  // expected-error @+1 {{sign must have i8 elements, got 'i32'}}
  %y = loom.shift_matmul %x, %s, %p : (tensor<4x16xf32>, tensor<8x16xi32>, tensor<8x16xi8>) -> tensor<4x8xf32>
  return
}

// -----

// Exponent element type.
func.func @f(%x: tensor<4x16xf32>, %s: tensor<8x16xi8>, %p: tensor<8x16xi16>) {
  // expected-error @+1 {{exponent must have i8 elements, got 'i16'}}
  %y = loom.shift_matmul %x, %s, %p : (tensor<4x16xf32>, tensor<8x16xi8>, tensor<8x16xi16>) -> tensor<4x8xf32>
  return
}

// -----

// Empty exponent range.
func.func @f(%x: tensor<4x16xf32>, %s: tensor<8x16xi8>, %p: tensor<8x16xi8>) {
  // expected-error @+1 {{min_exponent 3 exceeds max_exponent 1}}
  %y = loom.shift_matmul %x, %s, %p {min_exponent = 3, max_exponent = 1} : (tensor<4x16xf32>, tensor<8x16xi8>, tensor<8x16xi8>) -> tensor<4x8xf32>
  return
}

// -----

// Exponent range beyond i8.
func.func @f(%x: tensor<4x16xf32>, %s: tensor<8x16xi8>, %p: tensor<8x16xi8>) {
  // expected-error @+1 {{exponent range [-200, 7] does not fit i8}}
  %y = loom.shift_matmul %x, %s, %p {min_exponent = -200} : (tensor<4x16xf32>, tensor<8x16xi8>, tensor<8x16xi8>) -> tensor<4x8xf32>
  return
}

// -----

// Float result for integer input.
func.func @f(%x: tensor<4x16xi16>, %s: tensor<8x16xi8>, %p: tensor<8x16xi8>) {
  // expected-error @+1 {{result element type must be a signless integer for integer input, got 'f32'}}
  %y = loom.shift_matmul %x, %s, %p : (tensor<4x16xi16>, tensor<8x16xi8>, tensor<8x16xi8>) -> tensor<4x8xf32>
  return
}

// -----

// Accumulator narrower than the input.
func.func @f(%x: tensor<4x16xi16>, %s: tensor<8x16xi8>, %p: tensor<8x16xi8>) {
  // expected-error @+1 {{result width 8 is narrower than the input width 16}}
  %y = loom.shift_matmul %x, %s, %p : (tensor<4x16xi16>, tensor<8x16xi8>, tensor<8x16xi8>) -> tensor<4x8xi8>
  return
}

// -----

// frac_bits out of range.
func.func @f(%x: tensor<4x16xi16>, %s: tensor<8x16xi8>, %p: tensor<8x16xi8>) {
  // expected-error @+1 {{frac_bits must be in [0, 16), got 16}}
  %y = loom.shift_matmul %x, %s, %p {frac_bits = 16} : (tensor<4x16xi16>, tensor<8x16xi8>, tensor<8x16xi8>) -> tensor<4x8xi32>
  return
}

// -----

// result_frac_bits out of range.
func.func @f(%x: tensor<4x16xi16>, %s: tensor<8x16xi8>, %p: tensor<8x16xi8>) {
  // expected-error @+1 {{result_frac_bits must be in [0, 32), got -1}}
  %y = loom.shift_matmul %x, %s, %p {result_frac_bits = -1} : (tensor<4x16xi16>, tensor<8x16xi8>, tensor<8x16xi8>) -> tensor<4x8xi32>
  return
}

// -----

// Shifts as wide as the accumulator.
func.func @f(%x: tensor<4x16xi8>, %s: tensor<8x16xi8>, %p: tensor<8x16xi8>) {
  // expected-error @+1 {{shift range [2, 17] exceeds the result width 16}}
  %y = loom.shift_matmul %x, %s, %p {result_frac_bits = 10} : (tensor<4x16xi8>, tensor<8x16xi8>, tensor<8x16xi8>) -> tensor<4x8xi16>
  return
}

// -----

// Integer result for float input.
func.func @f(%x: tensor<4x16xf32>, %s: tensor<8x16xi8>, %p: tensor<8x16xi8>) {
  // expected-error @+1 {{result element type must be f16, bf16 or f32 for float input, got 'i32'}}
  %y = loom.shift_matmul %x, %s, %p : (tensor<4x16xf32>, tensor<8x16xi8>, tensor<8x16xi8>) -> tensor<4x8xi32>
  return
}

// -----

// Fractional bits on float input.
func.func @f(%x: tensor<4x16xf32>, %s: tensor<8x16xi8>, %p: tensor<8x16xi8>) {
  // expected-error @+1 {{frac_bits and result_frac_bits apply only to integer input}}
  %y = loom.shift_matmul %x, %s, %p {frac_bits = 4} : (tensor<4x16xf32>, tensor<8x16xi8>, tensor<8x16xi8>) -> tensor<4x8xf32>
  return
}

// -----

// Unsupported input type.
func.func @f(%x: tensor<4x16xf64>, %s: tensor<8x16xi8>, %p: tensor<8x16xi8>) {
  // expected-error @+1 {{input element type must be a signless integer, f16, bf16 or f32, got 'f64'}}
  %y = loom.shift_matmul %x, %s, %p : (tensor<4x16xf64>, tensor<8x16xi8>, tensor<8x16xi8>) -> tensor<4x8xf64>
  return
}

// -----

// A constant exponent outside the range.
func.func @f(%x: tensor<1x2xf32>, %s: tensor<1x2xi8>) {
  %p = arith.constant dense<[[0, 9]]> : tensor<1x2xi8>
  // expected-error @+1 {{constant exponent 9 is outside [-8, 7]}}
  %y = loom.shift_matmul %x, %s, %p : (tensor<1x2xf32>, tensor<1x2xi8>, tensor<1x2xi8>) -> tensor<1x1xf32>
  return
}

// -----

// A constant sign that is not -1, 0 or +1.
func.func @f(%x: tensor<1x2xf32>, %p: tensor<1x2xi8>) {
  %s = arith.constant dense<[[1, 2]]> : tensor<1x2xi8>
  // expected-error @+1 {{constant sign 2 is not -1, 0 or +1}}
  %y = loom.shift_matmul %x, %s, %p : (tensor<1x2xf32>, tensor<1x2xi8>, tensor<1x2xi8>) -> tensor<1x1xf32>
  return
}

// -----

// bcq: rank of the input.
func.func @f(%x: tensor<32xf32>, %b: tensor<2x8x4xi8>, %e: tensor<2x8x2xi8>) {
  // expected-error @+1 {{input must be rank 2 [M,K], got rank 1}}
  %y = loom.bcq_matmul %x, %b, %e {group_size = 16} : (tensor<32xf32>, tensor<2x8x4xi8>, tensor<2x8x2xi8>) -> tensor<4x8xf32>
  return
}

// -----

// bcq: integer input.
func.func @f(%x: tensor<4x32xi8>, %b: tensor<2x8x4xi8>, %e: tensor<2x8x2xi8>) {
  // expected-error @+1 {{input element type must be f16, bf16 or f32, got 'i8'}}
  %y = loom.bcq_matmul %x, %b, %e {group_size = 16} : (tensor<4x32xi8>, tensor<2x8x4xi8>, tensor<2x8x2xi8>) -> tensor<4x8xf32>
  return
}

// -----

// bcq: integer result.
func.func @f(%x: tensor<4x32xf32>, %b: tensor<2x8x4xi8>, %e: tensor<2x8x2xi8>) {
  // expected-error @+1 {{result element type must be f16, bf16 or f32, got 'i32'}}
  %y = loom.bcq_matmul %x, %b, %e {group_size = 16} : (tensor<4x32xf32>, tensor<2x8x4xi8>, tensor<2x8x2xi8>) -> tensor<4x8xi32>
  return
}

// -----

// bcq: planes rank.
func.func @f(%x: tensor<4x32xf32>, %b: tensor<8x4xi8>, %e: tensor<2x8x2xi8>) {
  // expected-error @+1 {{planes must be rank 3 [q,N,K/8], got rank 2}}
  %y = loom.bcq_matmul %x, %b, %e {group_size = 16} : (tensor<4x32xf32>, tensor<8x4xi8>, tensor<2x8x2xi8>) -> tensor<4x8xf32>
  return
}

// -----

// bcq: unpacked i1 planes.
func.func @f(%x: tensor<4x32xf32>, %b: tensor<2x8x32xi1>, %e: tensor<2x8x2xi8>) {
  // expected-error @+1 {{planes must have i8 elements (8 packed bits), got 'i1'}}
  %y = loom.bcq_matmul %x, %b, %e {group_size = 16} : (tensor<4x32xf32>, tensor<2x8x32xi1>, tensor<2x8x2xi8>) -> tensor<4x8xf32>
  return
}

// -----

// bcq: exponent element type.
func.func @f(%x: tensor<4x32xf32>, %b: tensor<2x8x4xi8>, %e: tensor<2x8x2xi32>) {
  // expected-error @+1 {{scale_exponents must have i8 elements, got 'i32'}}
  %y = loom.bcq_matmul %x, %b, %e {group_size = 16} : (tensor<4x32xf32>, tensor<2x8x4xi8>, tensor<2x8x2xi32>) -> tensor<4x8xf32>
  return
}

// -----

// bcq: no plane.
func.func @f(%x: tensor<4x32xf32>, %b: tensor<0x8x4xi8>, %e: tensor<0x8x2xi8>) {
  // expected-error @+1 {{needs at least one binary plane}}
  %y = loom.bcq_matmul %x, %b, %e {group_size = 16} : (tensor<4x32xf32>, tensor<0x8x4xi8>, tensor<0x8x2xi8>) -> tensor<4x8xf32>
  return
}

// -----

// bcq: group size not a multiple of 8.
func.func @f(%x: tensor<4x36xf32>, %b: tensor<2x8x4xi8>, %e: tensor<2x8x3xi8>) {
  // expected-error @+1 {{group_size must be a positive multiple of 8, got 12}}
  %y = loom.bcq_matmul %x, %b, %e {group_size = 12} : (tensor<4x36xf32>, tensor<2x8x4xi8>, tensor<2x8x3xi8>) -> tensor<4x8xf32>
  return
}

// -----

// bcq: dynamic K.
func.func @f(%x: tensor<4x?xf32>, %b: tensor<2x8x4xi8>, %e: tensor<2x8x2xi8>) {
  // expected-error @+1 {{input K must be static}}
  %y = loom.bcq_matmul %x, %b, %e {group_size = 16} : (tensor<4x?xf32>, tensor<2x8x4xi8>, tensor<2x8x2xi8>) -> tensor<4x8xf32>
  return
}

// -----

// bcq: group size not dividing K.
func.func @f(%x: tensor<4x48xf32>, %b: tensor<2x8x6xi8>, %e: tensor<2x8x1xi8>) {
  // expected-error @+1 {{group_size 32 does not divide K = 48}}
  %y = loom.bcq_matmul %x, %b, %e {group_size = 32} : (tensor<4x48xf32>, tensor<2x8x6xi8>, tensor<2x8x1xi8>) -> tensor<4x8xf32>
  return
}

// -----

// bcq: planes not packed eight per byte.
func.func @f(%x: tensor<4x32xf32>, %b: tensor<2x8x32xi8>, %e: tensor<2x8x2xi8>) {
  // expected-error @+1 {{planes must be [q,N,K/8] = [2, 8, 4] (8 bits per byte), got [2, 8, 32]}}
  %y = loom.bcq_matmul %x, %b, %e {group_size = 16} : (tensor<4x32xf32>, tensor<2x8x32xi8>, tensor<2x8x2xi8>) -> tensor<4x8xf32>
  return
}

// -----

// bcq: one exponent per group.
func.func @f(%x: tensor<4x32xf32>, %b: tensor<2x8x4xi8>, %e: tensor<2x8x4xi8>) {
  // expected-error @+1 {{scale_exponents must be [q,N,K/g] = [2, 8, 2], got [2, 8, 4]}}
  %y = loom.bcq_matmul %x, %b, %e {group_size = 16} : (tensor<4x32xf32>, tensor<2x8x4xi8>, tensor<2x8x4xi8>) -> tensor<4x8xf32>
  return
}

// -----

// bcq: result shape.
func.func @f(%x: tensor<4x32xf32>, %b: tensor<2x8x4xi8>, %e: tensor<2x8x2xi8>) {
  // expected-error @+1 {{result must be [M,N] = [4, 8], got [4, 9]}}
  %y = loom.bcq_matmul %x, %b, %e {group_size = 16} : (tensor<4x32xf32>, tensor<2x8x4xi8>, tensor<2x8x2xi8>) -> tensor<4x9xf32>
  return
}

// -----

// adder: weight rank.
func.func @f(%x: tensor<4x16xf32>, %w: tensor<16xf32>) {
  // expected-error @+1 {{weight must be rank 2 [N,K], got rank 1}}
  %y = loom.adder_matmul %x, %w : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x8xf32>
  return
}

// -----

// adder: K mismatch.
func.func @f(%x: tensor<4x16xf32>, %w: tensor<8x8xf32>) {
  // expected-error @+1 {{weight has K = 8 but the input has K = 16}}
  %y = loom.adder_matmul %x, %w : (tensor<4x16xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// adder: mixed element types.
func.func @f(%x: tensor<4x16xf32>, %w: tensor<8x16xf16>) {
  // expected-error @+1 {{weight element type 'f16' does not match input element type 'f32'}}
  %y = loom.adder_matmul %x, %w : (tensor<4x16xf32>, tensor<8x16xf16>) -> tensor<4x8xf32>
  return
}

// -----

// adder: integer result for float input.
func.func @f(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) {
  // expected-error @+1 {{result element type must be f16, bf16 or f32 for float input, got 'i32'}}
  %y = loom.adder_matmul %x, %w : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xi32>
  return
}

// -----

// adder: f64.
func.func @f(%x: tensor<4x16xf64>, %w: tensor<8x16xf64>) {
  // expected-error @+1 {{input element type must be a signless integer, f16, bf16 or f32, got 'f64'}}
  %y = loom.adder_matmul %x, %w : (tensor<4x16xf64>, tensor<8x16xf64>) -> tensor<4x8xf64>
  return
}

// -----

// adder: float result for integer input.
func.func @f(%x: tensor<4x16xi8>, %w: tensor<8x16xi8>) {
  // expected-error @+1 {{result element type must be a signless integer for integer input, got 'f32'}}
  %y = loom.adder_matmul %x, %w : (tensor<4x16xi8>, tensor<8x16xi8>) -> tensor<4x8xf32>
  return
}

// -----

// adder: narrow accumulator.
func.func @f(%x: tensor<4x16xi16>, %w: tensor<8x16xi16>) {
  // expected-error @+1 {{result width 8 is narrower than the input width 16}}
  %y = loom.adder_matmul %x, %w : (tensor<4x16xi16>, tensor<8x16xi16>) -> tensor<4x8xi8>
  return
}
