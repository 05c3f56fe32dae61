// RUN: loom-opt %s -split-input-file -verify-diagnostics

// Every verifier message of loom.rope and loom.rms_norm has a case here.

func.func @f(%x: tensor<2x8xi32>, %c: tensor<2x8xi32>) {
  // expected-error @+1 {{input element type must be a float, got 'i32'}}
  %y = loom.rope %x, %c, %c : (tensor<2x8xi32>, tensor<2x8xi32>, tensor<2x8xi32>) -> tensor<2x8xi32>
  return
}

// -----

func.func @f(%x: tensor<f32>, %c: tensor<f32>) {
  // expected-error @+1 {{input must have rank >= 1}}
  %y = loom.rope %x, %c, %c : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>, %c: tensor<2x8xf32>) {
  // expected-error @+1 {{result type 'tensor<2x8xf16>' must equal the input type 'tensor<2x8xf32>'}}
  %y = loom.rope %x, %c, %c : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf16>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>, %c: tensor<2x8xf16>) {
  // expected-error @+1 {{cos element type 'f16' must match the input's ('f32')}}
  %y = loom.rope %x, %c, %c : (tensor<2x8xf32>, tensor<2x8xf16>, tensor<2x8xf16>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x2x8xf32>, %c: tensor<2x8xf32>) {
  // expected-error @+1 {{cos must have the input's rank (3), got [2, 8]}}
  %y = loom.rope %x, %c, %c : (tensor<1x2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<1x2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<4x2x8xf32>, %c: tensor<2x2x8xf32>) {
  // expected-error @+1 {{cos dimension 0 is 2, expected 1 or 4}}
  %y = loom.rope %x, %c, %c : (tensor<4x2x8xf32>, tensor<2x2x8xf32>, tensor<2x2x8xf32>) -> tensor<4x2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>, %c: tensor<2x?xf32>) {
  // expected-error @+1 {{cos must have a static last dimension (the number of rotated channels)}}
  %y = loom.rope %x, %c, %c : (tensor<2x8xf32>, tensor<2x?xf32>, tensor<2x?xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>, %c: tensor<2x5xf32>) {
  // expected-error @+1 {{cos last dimension (rotated channels) is 5, expected an even number in [2, 8]}}
  %y = loom.rope %x, %c, %c : (tensor<2x8xf32>, tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>, %c: tensor<2x10xf32>) {
  // expected-error @+1 {{cos last dimension (rotated channels) is 10, expected an even number in [2, 8]}}
  %y = loom.rope %x, %c, %c : (tensor<2x8xf32>, tensor<2x10xf32>, tensor<2x10xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>, %c: tensor<2x8xf32>, %s: tensor<2x8xf16>) {
  // expected-error @+1 {{sin element type 'f16' must match the input's ('f32')}}
  %y = loom.rope %x, %c, %s : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf16>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>, %c: tensor<2x8xf32>, %s: tensor<1x8xf32>) {
  // expected-error @+1 {{cos and sin must have the same type, got 'tensor<2x8xf32>' and 'tensor<1x8xf32>'}}
  %y = loom.rope %x, %c, %s : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8xi32>) {
  // expected-error @+1 {{input element type must be a float, got 'i32'}}
  %y = loom.rms_norm %x {epsilon = 1.0e-6 : f32} : (tensor<2x8xi32>) -> tensor<2x8xi32>
  return
}

// -----

func.func @f(%x: tensor<f32>) {
  // expected-error @+1 {{input must have rank >= 1}}
  %y = loom.rms_norm %x {epsilon = 1.0e-6 : f32} : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{result type 'tensor<8x2xf32>' must equal the input type 'tensor<2x8xf32>'}}
  %y = loom.rms_norm %x {epsilon = 1.0e-6 : f32} : (tensor<2x8xf32>) -> tensor<8x2xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>, %w: tensor<8xf16>) {
  // expected-error @+1 {{weight element type 'f16' must match the input's ('f32')}}
  %y = loom.rms_norm %x, %w {epsilon = 1.0e-6 : f32} : (tensor<2x8xf32>, tensor<8xf16>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>, %w: tensor<1x8xf32>) {
  // expected-error @+1 {{weight must be [8] (the last input dimension), got [1, 8]}}
  %y = loom.rms_norm %x, %w {epsilon = 1.0e-6 : f32} : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{epsilon must be finite and non-negative, got -1.000000e-03}}
  %y = loom.rms_norm %x {epsilon = -1.0e-3 : f32} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{epsilon must be finite and non-negative, got INF}}
  %y = loom.rms_norm %x {epsilon = 0x7F800000 : f32} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}
