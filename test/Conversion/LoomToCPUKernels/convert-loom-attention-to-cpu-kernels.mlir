// RUN: loom-opt %s --split-input-file --convert-loom-attention-to-cpu-kernels | FileCheck %s

// Structure of the attention kernel call on tensors. Numbers are checked by
// test/Integration/CPUKernels/attention.mlir and every attention execution
// test (lit.local.cfg runs both paths).

// Operands cross as read-only buffers of dynamic strided layout; the result is
// a fresh buffer returned as a restrict tensor; scale 1/sqrt(16), causal, no
// window, no sinks, no mask (q stands in for the mask descriptor).
// CHECK-LABEL: func.func @causal(
// CHECK-SAME:    %[[Q:.*]]: tensor<1x8x4x16xf32>, %[[K:.*]]: tensor<1x2x6x16xf32>, %[[V:.*]]: tensor<1x2x6x8xf32>
// CHECK:         %[[QB:.*]] = bufferization.to_buffer %[[Q]] read_only
// CHECK:         %[[QD:.*]] = memref.cast %[[QB]] : memref<1x8x4x16xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK:         bufferization.to_buffer %[[K]] read_only
// CHECK:         bufferization.to_buffer %[[V]] read_only
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<1x8x4x8xf32>
// CHECK:         %[[OD:.*]] = memref.cast %[[OUT]]
// CHECK-DAG:     %[[SCALE:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-DAG:     %[[CAUSAL:.*]] = arith.constant 1 : i32
// CHECK-DAG:     %[[NOMASK:.*]] = arith.constant 0 : i32
// CHECK:         call @loom_attention_f32(%[[QD]], %{{.*}}, %{{.*}}, %[[QD]], %[[OD]], %[[SCALE]], %[[CAUSAL]], %{{.*}}, %{{.*}}, %[[NOMASK]])
// CHECK:         %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK:         return %[[R]]
// CHECK:       func.func private @loom_attention_f32({{.*}}) attributes {llvm.emit_c_interface}
func.func @causal(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x8x4x8xf32> {
  %o = loom.attention %q, %k, %v {causal} : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x8xf32>) -> tensor<1x8x4x8xf32>
  return %o : tensor<1x8x4x8xf32>
}

// -----

// Window, sinks and a mask are passed on.
// CHECK-LABEL: func.func @window_mask(
// CHECK:         arith.constant 1 : i32
// CHECK-NEXT:    %[[WINDOW:.*]] = arith.constant 3 : i64
// CHECK-NEXT:    %[[SINKS:.*]] = arith.constant 1 : i64
// CHECK-NEXT:    %[[HASMASK:.*]] = arith.constant 1 : i32
// CHECK:         call @loom_attention_f32({{.*}}, %[[WINDOW]], %[[SINKS]], %[[HASMASK]])
func.func @window_mask(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %m: tensor<1x1x4x4xf32>) -> tensor<1x2x4x8xf32> {
  %o = loom.attention %q, %k, %v mask(%m) {causal, window = 3, sinks = 1} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x1x4x4xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// Forms the kernel does not cover stay for the reference lowering: key
// scores, Hamming, f16, a KV cache.
// CHECK-LABEL: func.func @negative_forms(
// CHECK-COUNT-3: loom.attention
// CHECK-NOT:     call @loom_attention_f32
func.func @negative_forms(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %qh: tensor<1x2x4x8xf16>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf16>) {
  %o, %s = loom.attention %q, %k, %v : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4xf32>)
  %h = loom.attention %q, %k, %v {hamming} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %f = loom.attention %qh, %qh, %qh : (tensor<1x2x4x8xf16>, tensor<1x2x4x8xf16>, tensor<1x2x4x8xf16>) -> tensor<1x2x4x8xf16>
  return %o, %s, %h, %f : tensor<1x2x4x8xf32>, tensor<1x2x4xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf16>
}

// -----

// CHECK-LABEL: func.func @negative_cache(
// CHECK:         loom.attention
// CHECK-NOT:     call @loom_attention_f32
func.func @negative_cache(%q: tensor<1x2x1x8xf32>, %cache: !loom.kv_cache<1x2x16x8xf32>) -> tensor<1x2x1x8xf32> {
  %o = loom.attention %q, %cache {causal} : (tensor<1x2x1x8xf32>, !loom.kv_cache<1x2x16x8xf32>) -> tensor<1x2x1x8xf32>
  return %o : tensor<1x2x1x8xf32>
}
