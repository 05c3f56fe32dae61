// RUN: loom-opt %s -split-input-file -verify-diagnostics

// Every verifier message of loom.qmatmul, loom.quantize and loom.dequantize
// has a case here.

// Unsupported bit width.
func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xi8>, %s: tensor<16xf32>) {
  // expected-error @+1 {{bits must be 4 or 8, got 2}}
  %y = loom.qmatmul %x, %w, %s {bits = 2} : (tensor<4x64xf32>, tensor<16x64xi8>, tensor<16xf32>) -> tensor<4x16xf32>
  return
}

// -----

// Rank of the input.
func.func @f(%x: tensor<1x4x64xf32>, %w: tensor<16x64xi8>, %s: tensor<16xf32>) {
  // expected-error @+1 {{input must be rank 2 [M,K], got rank 3}}
  %y = loom.qmatmul %x, %w, %s : (tensor<1x4x64xf32>, tensor<16x64xi8>, tensor<16xf32>) -> tensor<4x16xf32>
  return
}

// -----

// Integer activations.
func.func @f(%x: tensor<4x64xi8>, %w: tensor<16x64xi8>, %s: tensor<16xf32>) {
  // expected-error @+1 {{input element type must be f16, bf16 or f32, got 'i8'}}
  %y = loom.qmatmul %x, %w, %s : (tensor<4x64xi8>, tensor<16x64xi8>, tensor<16xf32>) -> tensor<4x16xf32>
  return
}

// -----

// Integer result.
func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xi8>, %s: tensor<16xf32>) {
  // expected-error @+1 {{result element type must be f16, bf16 or f32, got 'i32'}}
  %y = loom.qmatmul %x, %w, %s : (tensor<4x64xf32>, tensor<16x64xi8>, tensor<16xf32>) -> tensor<4x16xi32>
  return
}

// -----

// Rank of the weight.
func.func @f(%x: tensor<4x64xf32>, %w: tensor<1x16x64xi8>, %s: tensor<16xf32>) {
  // expected-error @+1 {{weight must be rank 2, got rank 3}}
  %y = loom.qmatmul %x, %w, %s : (tensor<4x64xf32>, tensor<1x16x64xi8>, tensor<16xf32>) -> tensor<4x16xf32>
  return
}

// -----

// Unpacked i4 storage.
func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xi4>, %s: tensor<16xf32>) {
  // expected-error @+1 {{weight must have i8 elements (int8 or two packed int4), got 'i4'}}
  %y = loom.qmatmul %x, %w, %s {bits = 4} : (tensor<4x64xf32>, tensor<16x64xi4>, tensor<16xf32>) -> tensor<4x16xf32>
  return
}

// -----

// Dynamic K.
func.func @f(%x: tensor<4x?xf32>, %w: tensor<16x64xi8>, %s: tensor<16xf32>) {
  // expected-error @+1 {{input K must be static}}
  %y = loom.qmatmul %x, %w, %s : (tensor<4x?xf32>, tensor<16x64xi8>, tensor<16xf32>) -> tensor<4x16xf32>
  return
}

// -----

// Odd K with int4.
func.func @f(%x: tensor<4x7xf32>, %w: tensor<16x4xi8>, %s: tensor<16xf32>) {
  // expected-error @+1 {{K = 7 must be even for int4 (two values per byte)}}
  %y = loom.qmatmul %x, %w, %s {bits = 4} : (tensor<4x7xf32>, tensor<16x4xi8>, tensor<16xf32>) -> tensor<4x16xf32>
  return
}

// -----

// int4 weight not packed two per byte.
func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xi8>, %s: tensor<16xf32>) {
  // expected-error @+1 {{int4 weight must be [N,K/2] = [16, 32] (two int4 per byte), got [16, 64]}}
  %y = loom.qmatmul %x, %w, %s {bits = 4} : (tensor<4x64xf32>, tensor<16x64xi8>, tensor<16xf32>) -> tensor<4x16xf32>
  return
}

// -----

// int8 weight with the packed int4 shape.
func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x32xi8>, %s: tensor<16xf32>) {
  // expected-error @+1 {{int8 weight must be [N,K] = [16, 64], got [16, 32]}}
  %y = loom.qmatmul %x, %w, %s : (tensor<4x64xf32>, tensor<16x32xi8>, tensor<16xf32>) -> tensor<4x16xf32>
  return
}

// -----

// Zero group size.
func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xi8>, %s: tensor<16x1xf32>) {
  // expected-error @+1 {{group_size must be positive, got 0}}
  %y = loom.qmatmul %x, %w, %s {group_size = 0} : (tensor<4x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<4x16xf32>
  return
}

// -----

// Group size not dividing K.
func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xi8>, %s: tensor<16x1xf32>) {
  // expected-error @+1 {{group_size 48 does not divide K = 64}}
  %y = loom.qmatmul %x, %w, %s {group_size = 48} : (tensor<4x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<4x16xf32>
  return
}

// -----

// Per-group scales of the wrong shape.
func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xi8>, %s: tensor<16x4xf32>) {
  // expected-error @+1 {{scales must be [N,K/group_size] = [16, 2], got [16, 4]}}
  %y = loom.qmatmul %x, %w, %s {group_size = 32} : (tensor<4x64xf32>, tensor<16x64xi8>, tensor<16x4xf32>) -> tensor<4x16xf32>
  return
}

// -----

// Per-group scales without group_size.
func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xi8>, %s: tensor<16x2xf32>) {
  // expected-error @+1 {{scales must be [N] (per channel) = [16], got [16, 2]}}
  %y = loom.qmatmul %x, %w, %s : (tensor<4x64xf32>, tensor<16x64xi8>, tensor<16x2xf32>) -> tensor<4x16xf32>
  return
}

// -----

// Integer scales.
func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xi8>, %s: tensor<16xi8>) {
  // expected-error @+1 {{scales must have f16, bf16 or f32 elements, got 'i8'}}
  %y = loom.qmatmul %x, %w, %s : (tensor<4x64xf32>, tensor<16x64xi8>, tensor<16xi8>) -> tensor<4x16xf32>
  return
}

// -----

// Zero points shaped unlike the scales.
func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xi8>, %s: tensor<16xf32>, %z: tensor<16x2xi8>) {
  // expected-error @+1 {{zero_points shape [16, 2] must match scales shape [16]}}
  %y = loom.qmatmul %x, %w, %s, %z : (tensor<4x64xf32>, tensor<16x64xi8>, tensor<16xf32>, tensor<16x2xi8>) -> tensor<4x16xf32>
  return
}

// -----

// Wide zero points.
func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xi8>, %s: tensor<16xf32>, %z: tensor<16xi32>) {
  // expected-error @+1 {{zero_points must have i8 elements, got 'i32'}}
  %y = loom.qmatmul %x, %w, %s, %z : (tensor<4x64xf32>, tensor<16x64xi8>, tensor<16xf32>, tensor<16xi32>) -> tensor<4x16xf32>
  return
}

// -----

// Result shape.
func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xi8>, %s: tensor<16xf32>) {
  // expected-error @+1 {{result must be [M,N] = [4, 16], got [4, 8]}}
  %y = loom.qmatmul %x, %w, %s : (tensor<4x64xf32>, tensor<16x64xi8>, tensor<16xf32>) -> tensor<4x8xf32>
  return
}

// -----

// A constant zero point outside the int4 range.
func.func @f(%x: tensor<4x64xf32>, %w: tensor<2x32xi8>, %s: tensor<2xf32>) {
  %z = arith.constant dense<[0, 9]> : tensor<2xi8>
  // expected-error @+1 {{constant zero point 9 is outside the int4 range [-8, 7]}}
  %y = loom.qmatmul %x, %w, %s, %z {bits = 4} : (tensor<4x64xf32>, tensor<2x32xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<4x2xf32>
  return
}

// -----

// Rank-0 activations.
func.func @f(%x: tensor<f32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{needs a tensor of rank >= 1 (the last dimension holds the channels)}}
  %y = loom.quantize %x, %s per_tensor : (tensor<f32>, tensor<1xf32>) -> tensor<i8>
  return
}

// -----

// Quantized shape differs.
func.func @f(%x: tensor<6x32xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{result shape [6, 16] must match input shape [6, 32]}}
  %y = loom.quantize %x, %s per_tensor : (tensor<6x32xf32>, tensor<1xf32>) -> tensor<6x16xi8>
  return
}

// -----

// int4 activations.
func.func @f(%x: tensor<6x32xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{quantized values must be i8 (int8), got 'i4'}}
  %y = loom.quantize %x, %s per_tensor : (tensor<6x32xf32>, tensor<1xf32>) -> tensor<6x32xi4>
  return
}

// -----

// f64 dequantized values.
func.func @f(%x: tensor<6x32xi8>, %s: tensor<1xf32>) {
  // expected-error @+1 {{float values must be f16, bf16 or f32, got 'f64'}}
  %y = loom.dequantize %x, %s per_tensor : (tensor<6x32xi8>, tensor<1xf32>) -> tensor<6x32xf64>
  return
}

// -----

// Per-tensor scale with one entry per token.
func.func @f(%x: tensor<6x32xf32>, %s: tensor<6xf32>) {
  // expected-error @+1 {{per_tensor scale must be [1], got [6]}}
  %y = loom.quantize %x, %s per_tensor : (tensor<6x32xf32>, tensor<6xf32>) -> tensor<6x32xi8>
  return
}

// -----

// Per-token scale with a single entry.
func.func @f(%x: tensor<2x6x32xi8>, %s: tensor<1xf32>) {
  // expected-error @+1 {{per_token scale must be [2, 6], got [1]}}
  %y = loom.dequantize %x, %s per_token : (tensor<2x6x32xi8>, tensor<1xf32>) -> tensor<2x6x32xf32>
  return
}

// -----

// f16 scales.
func.func @f(%x: tensor<6x32xf32>, %s: tensor<6xf16>) {
  // expected-error @+1 {{scale must have f32 elements, got 'f16'}}
  %y = loom.quantize %x, %s per_token : (tensor<6x32xf32>, tensor<6xf16>) -> tensor<6x32xi8>
  return
}

// -----

// Zero point shaped unlike the scale.
func.func @f(%x: tensor<6x32xf32>, %s: tensor<1xf32>, %z: tensor<6xi8>) {
  // expected-error @+1 {{zero_point shape [6] must match scale shape [1]}}
  %y = loom.quantize %x, %s, %z per_tensor : (tensor<6x32xf32>, tensor<1xf32>, tensor<6xi8>) -> tensor<6x32xi8>
  return
}

// -----

// Wide zero point.
func.func @f(%x: tensor<6x32xi8>, %s: tensor<6xf32>, %z: tensor<6xi32>) {
  // expected-error @+1 {{zero_point must have i8 elements, got 'i32'}}
  %y = loom.dequantize %x, %s, %z per_token : (tensor<6x32xi8>, tensor<6xf32>, tensor<6xi32>) -> tensor<6x32xf32>
  return
}
