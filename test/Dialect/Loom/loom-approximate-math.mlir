// RUN: loom-opt %s --loom-approximate-math | FileCheck %s

// f32 exp, erf and tanh become polynomials (no libm call left); other types
// keep the math op. Accuracy is checked by execution against libm in
// test/Integration/CPUKernels/math.mlir.

// CHECK-LABEL: func.func @f32_functions(
// CHECK-NOT:     math.exp
// CHECK-NOT:     math.erf
// CHECK-NOT:     math.tanh
// CHECK:         return
func.func @f32_functions(%x: f32) -> (f32, f32, f32) {
  %a = math.exp %x : f32
  %b = math.erf %x : f32
  %c = math.tanh %x : f32
  return %a, %b, %c : f32, f32, f32
}

// f64 is not approximated (the polynomials are f32's).
// CHECK-LABEL: func.func @negative_f64(
// CHECK:         math.exp
func.func @negative_f64(%x: f64) -> f64 {
  %a = math.exp %x : f64
  return %a : f64
}
