// RUN: loom-opt %s -split-input-file -verify-diagnostics

// Every verifier message of loom.topk has a case here.

func.func @f(%x: tensor<4x8xi1>) {
  // expected-error @+1 {{input element type must be a float or a signless integer wider than i1, got 'i1'}}
  %v, %i = loom.topk %x {k = 2} : tensor<4x8xi1> -> (tensor<4x2xi1>, tensor<4x2xi64>)
  return
}

// -----

func.func @f(%x: tensor<f32>) {
  // expected-error @+1 {{input must have rank >= 1}}
  %v, %i = loom.topk %x {k = 1} : tensor<f32> -> (tensor<f32>, tensor<i64>)
  return
}

// -----

func.func @f(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %v, %i = loom.topk %x {k = 2, axis = 2} : tensor<4x8xf32> -> (tensor<4x2xf32>, tensor<4x2xi64>)
  return
}

// -----

func.func @f(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %v, %i = loom.topk %x {k = 2, axis = -3} : tensor<4x8xf32> -> (tensor<4x2xf32>, tensor<4x2xi64>)
  return
}

// -----

// k larger than the axis (the classic "k > E" of a router).
func.func @f(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{k = 9 must be in [1, 8] (the size of axis 1)}}
  %v, %i = loom.topk %x {k = 9} : tensor<4x8xf32> -> (tensor<4x9xf32>, tensor<4x9xi64>)
  return
}

// -----

func.func @f(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{k = 0 must be in [1, 8] (the size of axis 1)}}
  %v, %i = loom.topk %x {k = 0} : tensor<4x8xf32> -> (tensor<4x0xf32>, tensor<4x0xi64>)
  return
}

// -----

func.func @f(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{values must be [4, 2] of 'f32', got 'tensor<4x3xf32>'}}
  %v, %i = loom.topk %x {k = 2} : tensor<4x8xf32> -> (tensor<4x3xf32>, tensor<4x2xi64>)
  return
}

// -----

func.func @f(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{values must be [4, 2] of 'f32', got 'tensor<4x2xf16>'}}
  %v, %i = loom.topk %x {k = 2} : tensor<4x8xf32> -> (tensor<4x2xf16>, tensor<4x2xi64>)
  return
}

// -----

func.func @f(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{indices must be [4, 2] of i64, got 'tensor<4x2xi32>'}}
  %v, %i = loom.topk %x {k = 2} : tensor<4x8xf32> -> (tensor<4x2xf32>, tensor<4x2xi32>)
  return
}
