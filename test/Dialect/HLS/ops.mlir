// RUN: loom-opt %s -split-input-file -verify-diagnostics | FileCheck %s
// hls.shift round-trips; its verifier rejects a constant exponent outside
// [-277, 276] and anything but (f32, i32).

// CHECK-LABEL: func @shift
// CHECK: hls.shift %{{.*}}, %{{.*}} : f32, i32
// CHECK: hls.shift %{{.*}}, %{{.*}} : f32, i32
func.func @shift(%x: f32, %e: i32) -> (f32, f32) {
  %c = arith.constant -277 : i32
  %y = hls.shift %x, %e : f32, i32
  %z = hls.shift %y, %c : f32, i32
  return %y, %z : f32, f32
}

// -----

func.func @too_small(%x: f32) -> f32 {
  %c = arith.constant -278 : i32
  // expected-error @+1 {{'hls.shift' op exponent -278 is outside [-277, 276] (every finite product would be 0 or inf)}}
  %y = hls.shift %x, %c : f32, i32
  return %y : f32
}

// -----

func.func @too_large(%x: f32) -> f32 {
  %c = arith.constant 277 : i32
  // expected-error @+1 {{'hls.shift' op exponent 277 is outside [-277, 276]}}
  %y = hls.shift %x, %c : f32, i32
  return %y : f32
}

// -----

func.func @f16(%x: f16, %e: i32) -> f32 {
  // expected-error @+1 {{'hls.shift' op operand #0 must be 32-bit float, but got 'f16'}}
  %y = "hls.shift"(%x, %e) : (f16, i32) -> f32
  return %y : f32
}

// -----

func.func @i64_exponent(%x: f32, %e: i64) -> f32 {
  // expected-error @+1 {{'hls.shift' op operand #1 must be 32-bit signless integer, but got 'i64'}}
  %y = "hls.shift"(%x, %e) : (f32, i64) -> f32
  return %y : f32
}
