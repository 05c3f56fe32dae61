// RUN: loom-opt %s --split-input-file --loom-report -o /dev/null | FileCheck %s

// kv_cache_bytes_per_token of a KIVI cache counts the packed codes and the f32
// scale and zero point of every group, amortised per token:
// H * (D + Dv) * (bits + 64 / group) bits. Here 2 * 128 * (2 + 2) / 8 = 128
// bytes, against 2 * 128 * 16 / 8 = 512 for the same cache in f16.

// CHECK: append_q loom.kv.append {{.*}} 128
// CHECK-NEXT: total 1 layers {{.*}} 128
!qcache = !loom.kv_cache<1x2x128x64xf16, quant = <bits = 2, group = 32, residual = 32>>
func.func @append_quantized(%c: !qcache, %k: tensor<1x2x1x64xf16>, %v: tensor<1x2x1x64xf16>) -> !qcache {
  %r = loom.kv.append %c, %k, %v : !qcache, tensor<1x2x1x64xf16>, tensor<1x2x1x64xf16> loc("append_q")
  return %r : !qcache
}

// -----

// 4 bits in groups of 4 channels/tokens: the scales cost as much as 16 bits
// per element, 2 * 16 * (4 + 16) / 8 = 80 bytes against 128 in f32.

// CHECK: append_q4 loom.kv.append {{.*}} 80
!qcache = !loom.kv_cache<1x2x16x8xf32, quant = <bits = 4, group = 4, residual = 4>>
func.func @append_quantized4(%c: !qcache, %k: tensor<1x2x1x8xf32>, %v: tensor<1x2x1x8xf32>) -> !qcache {
  %r = loom.kv.append %c, %k, %v : !qcache, tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32> loc("append_q4")
  return %r : !qcache
}

// -----

// CHECK: append_f16 loom.kv.append {{.*}} 512
!cache = !loom.kv_cache<1x2x128x64xf16>
func.func @append_plain(%c: !cache, %k: tensor<1x2x1x64xf16>, %v: tensor<1x2x1x64xf16>) -> !cache {
  %r = loom.kv.append %c, %k, %v : !cache, tensor<1x2x1x64xf16>, tensor<1x2x1x64xf16> loc("append_f16")
  return %r : !cache
}

// -----

// loom.kv.project: a multiply-add per input element and rank dimension,
// 2 * (1*2*12*16) * 4 = 3072 FLOPs; the low-rank cache holds 2 * (4 + 4)
// channels per token, 64 bytes in f32 against 256 at full rank.

// CHECK: proj loom.kv.project 0 0 3072
// CHECK: append_lr loom.kv.append {{.*}} 64
!lrcache = !loom.kv_cache<1x2x16x4xf32>
func.func @low_rank(%c: !lrcache, %k: tensor<1x2x12x16xf32>, %v: tensor<1x2x12x4xf32>, %p: tensor<2x16x4xf32>) -> !lrcache {
  %kr = loom.kv.project %k, %p : tensor<1x2x12x16xf32>, tensor<2x16x4xf32> -> tensor<1x2x12x4xf32> loc("proj")
  %r = loom.kv.append %c, %kr, %v : !lrcache, tensor<1x2x12x4xf32>, tensor<1x2x12x4xf32> loc("append_lr")
  return %r : !lrcache
}
