// RUN: loom-opt %s -split-input-file --convert-loom-to-hls -verify-diagnostics | FileCheck %s
// The structure of each HLS form; the negative_ cases are left for the
// reference lowering with a remark. Numbers are checked by execution in
// the *-exec.mlir tests of this directory.

// Streaming attention: loops over (b, h, i), a [Dv] accumulator reset per
// row, a key loop carrying (m, l, acc), the normalisation after it; no -inf
// sentinel without a mask.
// CHECK-LABEL: func @attention
// CHECK-NOT: loom.attention
// CHECK-NOT: 0xFF800000
// CHECK: %[[OUT:.*]] = tensor.empty() : tensor<1x4x8x16xf32>
// CHECK: %[[ACC:.*]] = tensor.empty() : tensor<16xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[OUT]], %{{.*}} = %[[ACC]]) -> (tensor<1x4x8x16xf32>, tensor<16xf32>)
// CHECK: arith.divui
// CHECK: scf.for
// CHECK: linalg.fill {{.*}} -> tensor<16xf32>
// CHECK: scf.for {{.*}} -> (f32, f32, tensor<16xf32>)
// CHECK: arith.mulf
// CHECK: arith.cmpi sle
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: math.exp
// CHECK: scf.yield {{.*}} : f32, f32, tensor<16xf32>
// CHECK: arith.cmpf ogt
// CHECK: arith.divf
// CHECK: tensor.insert
func.func @attention(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %o = loom.attention %q, %k, %v {causal}
      : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// A broadcast mask is read at index 0 of its size-1 dimensions; a -inf
// score (masked key) is invisible.
// CHECK-LABEL: func @attention_mask
// CHECK: tensor.extract %arg3[%[[Z:.*]], %[[Z]], %{{.*}}, %{{.*}}] : tensor<1x1x8x8xf32>
// CHECK-NOT: arith.cmpi sle
// CHECK: arith.cmpf one, %{{.*}}, %cst{{.*}} : f32
func.func @attention_mask(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %m: tensor<1x1x8x8xf32>) -> tensor<1x2x8x16xf32> {
  %o = loom.attention %q, %k, %v mask(%m) {scale = 0.5 : f32}
      : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x1x8x8xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

// shift_matmul: the generic's body shifts, never multiplies by the weight.
// CHECK-LABEL: func @shift_matmul
// CHECK-NOT: loom.shift_matmul
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: ^bb0(%[[X:.*]]: f32, %[[S:.*]]: i8, %[[P:.*]]: i8, %[[ACC:.*]]: f32):
// CHECK-NOT: arith.mulf
// CHECK: %[[E:.*]] = arith.extsi %[[P]] : i8 to i32
// CHECK: arith.maxsi %[[E]], %c-6_i32
// CHECK: %[[CL:.*]] = arith.minsi %{{.*}}, %c3_i32
// CHECK: %[[SH:.*]] = hls.shift %[[X]], %[[CL]] : f32, i32
// CHECK-NOT: arith.mulf
// CHECK: arith.negf %[[SH]]
// CHECK-NOT: arith.mulf
// CHECK: linalg.yield
func.func @shift_matmul(%x: tensor<5x40xf32>, %s: tensor<24x40xi8>, %p: tensor<24x40xi8>) -> tensor<5x24xf32> {
  %y = loom.shift_matmul %x, %s, %p {min_exponent = -6, max_exponent = 3}
      : (tensor<5x40xf32>, tensor<24x40xi8>, tensor<24x40xi8>) -> tensor<5x24xf32>
  return %y : tensor<5x24xf32>
}

// -----

// bcq_matmul: one [K/8, 256] table per row, filled from 8-term signed sums,
// then one lookup per weight byte and one hls.shift per group.
// CHECK-LABEL: func @bcq_matmul
// CHECK-NOT: loom.bcq_matmul
// CHECK: %[[TABLE:.*]] = tensor.empty() : tensor<16x256xf32>
// CHECK: scf.for {{.*}} -> (tensor<5x24xf32>, tensor<16x256xf32>)
// CHECK: arith.shrui
// CHECK: arith.select
// CHECK: tensor.insert {{.*}} : tensor<16x256xf32>
// CHECK: tensor.extract %arg1{{.*}} : tensor<3x24x16xi8>
// CHECK: arith.index_castui {{.*}} : i8 to index
// CHECK: tensor.extract {{.*}} : tensor<16x256xf32>
// CHECK-NOT: arith.mulf
// CHECK: hls.shift
func.func @bcq_matmul(%x: tensor<5x128xf32>, %b: tensor<3x24x16xi8>, %e: tensor<3x24x4xi8>) -> tensor<5x24xf32> {
  %y = loom.bcq_matmul %x, %b, %e {group_size = 32}
      : (tensor<5x128xf32>, tensor<3x24x16xi8>, tensor<3x24x4xi8>) -> tensor<5x24xf32>
  return %y : tensor<5x24xf32>
}

// -----

// CHECK-LABEL: func @negative_window
// CHECK: loom.attention
func.func @negative_window(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-remark @+1 {{left to the reference lowering: a sliding window or sinks}}
  %o = loom.attention %q, %k, %v {causal, window = 4}
      : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

// CHECK-LABEL: func @negative_hamming
// CHECK: loom.attention
func.func @negative_hamming(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-remark @+1 {{left to the reference lowering: Hamming scores}}
  %o = loom.attention %q, %k, %v {hamming}
      : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

// CHECK-LABEL: func @negative_key_scores
// CHECK: loom.attention
func.func @negative_key_scores(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8xf32> {
  // expected-remark @+1 {{left to the reference lowering: the key-scores result}}
  %o, %s = loom.attention %q, %k, %v
      : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> (tensor<1x2x8x16xf32>, tensor<1x2x8xf32>)
  return %s : tensor<1x2x8xf32>
}

// -----

// CHECK-LABEL: func @negative_f16_attention
// CHECK: loom.attention
func.func @negative_f16_attention(%q: tensor<1x2x8x16xf16>, %k: tensor<1x2x8x16xf16>, %v: tensor<1x2x8x16xf16>) -> tensor<1x2x8x16xf16> {
  // expected-remark @+1 {{left to the reference lowering: element types other than f32}}
  %o = loom.attention %q, %k, %v
      : (tensor<1x2x8x16xf16>, tensor<1x2x8x16xf16>, tensor<1x2x8x16xf16>) -> tensor<1x2x8x16xf16>
  return %o : tensor<1x2x8x16xf16>
}

// -----

// CHECK-LABEL: func @negative_dynamic_attention
// CHECK: loom.attention
func.func @negative_dynamic_attention(%q: tensor<1x2x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32> {
  // expected-remark @+1 {{left to the reference lowering: dynamic shapes}}
  %o = loom.attention %q, %k, %v
      : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32>
  return %o : tensor<1x2x?x16xf32>
}

// -----

// Integer shift_matmul is already shifts in the reference lowering.
// CHECK-LABEL: func @negative_int_shift_matmul
// CHECK: loom.shift_matmul
func.func @negative_int_shift_matmul(%x: tensor<4x64xi16>, %s: tensor<32x64xi8>, %p: tensor<32x64xi8>) -> tensor<4x32xi32> {
  // expected-remark @+1 {{left to the reference lowering: an input or result other than f32}}
  %y = loom.shift_matmul %x, %s, %p {frac_bits = 8, result_frac_bits = 12}
      : (tensor<4x64xi16>, tensor<32x64xi8>, tensor<32x64xi8>) -> tensor<4x32xi32>
  return %y : tensor<4x32xi32>
}

// -----

// CHECK-LABEL: func @negative_f16_bcq_matmul
// CHECK: loom.bcq_matmul
func.func @negative_f16_bcq_matmul(%x: tensor<4x128xf16>, %b: tensor<3x64x16xi8>, %e: tensor<3x64x4xi8>) -> tensor<4x64xf16> {
  // expected-remark @+1 {{left to the reference lowering: an input or result other than f32}}
  %y = loom.bcq_matmul %x, %b, %e {group_size = 32}
      : (tensor<4x128xf16>, tensor<3x64x16xi8>, tensor<3x64x4xi8>) -> tensor<4x64xf16>
  return %y : tensor<4x64xf16>
}

// -----

// CHECK-LABEL: func @negative_kv_cache
// CHECK: loom.attention
func.func @negative_kv_cache(%q: tensor<1x2x1x16xf32>, %c: !loom.kv_cache<1x2x32x16xf32>) -> tensor<1x2x1x16xf32> {
  // expected-remark @+1 {{left to the reference lowering: keys and values from a KV cache}}
  %o = loom.attention %q, %c {causal}
      : (tensor<1x2x1x16xf32>, !loom.kv_cache<1x2x32x16xf32>) -> tensor<1x2x1x16xf32>
  return %o : tensor<1x2x1x16xf32>
}
