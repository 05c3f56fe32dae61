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

// -----

// Head-split transposes of q/k/v and the head-merge transpose of the output
// become memref.transpose views of the buffers the kernel reads and writes:
// no transpose is materialised. The output is allocated in the transposed
// shape and viewed through the inverse permutation.
// CHECK-LABEL: func.func @through_transposes(
// CHECK-SAME:    %[[Q:.*]]: tensor<1x5x4x16xf32>
// CHECK:         %[[QB:.*]] = bufferization.to_buffer %[[Q]] read_only : tensor<1x5x4x16xf32> to memref<1x5x4x16xf32>
// CHECK:         %[[QT:.*]] = memref.transpose %[[QB]] (d0, d1, d2, d3) -> (d0, d2, d1, d3)
// CHECK:         memref.cast %[[QT]]
// CHECK:         memref.transpose {{.*}} (d0, d1, d2, d3) -> (d0, d1, d3, d2)
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<1x5x8x4xf32>
// CHECK:         %[[OV:.*]] = memref.transpose %[[OUT]] (d0, d1, d2, d3) -> (d0, d3, d1, d2)
// CHECK:         %[[OD:.*]] = memref.cast %[[OV]]
// CHECK:         call @loom_attention_f32({{.*}}, %[[OD]],
// CHECK:         %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<1x5x8x4xf32> to tensor<1x5x8x4xf32>
// CHECK:         return %[[R]]
func.func @through_transposes(%q: tensor<1x5x4x16xf32>, %k: tensor<1x16x4x5xf32>, %v: tensor<1x5x4x8xf32>) -> tensor<1x5x8x4xf32> {
  %eq = tensor.empty() : tensor<1x4x5x16xf32>
  %ek = tensor.empty() : tensor<1x4x16x5xf32>
  %ev = tensor.empty() : tensor<1x4x5x8xf32>
  %qt = linalg.transpose ins(%q : tensor<1x5x4x16xf32>) outs(%eq : tensor<1x4x5x16xf32>) permutation = [0, 2, 1, 3]
  %kt0 = linalg.transpose ins(%k : tensor<1x16x4x5xf32>) outs(%ek : tensor<1x4x16x5xf32>) permutation = [0, 2, 1, 3]
  %ek2 = tensor.empty() : tensor<1x4x5x16xf32>
  %kt = linalg.transpose ins(%kt0 : tensor<1x4x16x5xf32>) outs(%ek2 : tensor<1x4x5x16xf32>) permutation = [0, 1, 3, 2]
  %vt = linalg.transpose ins(%v : tensor<1x5x4x8xf32>) outs(%ev : tensor<1x4x5x8xf32>) permutation = [0, 2, 1, 3]
  %o = loom.attention %qt, %kt, %vt
      : (tensor<1x4x5x16xf32>, tensor<1x4x5x16xf32>, tensor<1x4x5x8xf32>) -> tensor<1x4x5x8xf32>
  %eo = tensor.empty() : tensor<1x5x8x4xf32>
  %ot = linalg.transpose ins(%o : tensor<1x4x5x8xf32>) outs(%eo : tensor<1x5x8x4xf32>) permutation = [0, 2, 3, 1]
  return %ot : tensor<1x5x8x4xf32>
}

// -----

// An output with a user besides the transpose is written in its own shape.
// CHECK-LABEL: func.func @output_used_twice(
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<1x4x5x8xf32>
// CHECK:         call @loom_attention_f32(
// CHECK:         %[[R:.*]] = bufferization.to_tensor %[[OUT]]
// CHECK:         linalg.transpose ins(%[[R]]
func.func @output_used_twice(%q: tensor<1x4x5x16xf32>, %v: tensor<1x4x5x8xf32>) -> (tensor<1x4x5x8xf32>, tensor<1x5x8x4xf32>) {
  %o = loom.attention %q, %q, %v
      : (tensor<1x4x5x16xf32>, tensor<1x4x5x16xf32>, tensor<1x4x5x8xf32>) -> tensor<1x4x5x8xf32>
  %eo = tensor.empty() : tensor<1x5x8x4xf32>
  %ot = linalg.transpose ins(%o : tensor<1x4x5x8xf32>) outs(%eo : tensor<1x5x8x4xf32>) permutation = [0, 2, 3, 1]
  return %o, %ot : tensor<1x4x5x8xf32>, tensor<1x5x8x4xf32>
}

// -----

// Block-sparse attention on f32 (here threshold selection) becomes its selection as an
// additive mask ([B,Hq,Sq,Skv] for dynamic selection) and the kernel call with that mask
// (has_mask = 1). The angular kernel is not softmax attention: it stays for the
// reference lowering.
// CHECK-LABEL: func.func @block_sparse_and_angular(
// CHECK-NOT:     loom.block_sparse_attention
// CHECK:         math.exp
// CHECK:         } -> tensor<1x2x8x8xf32>
// CHECK:         %[[HASMASK:.*]] = arith.constant 1 : i32
// CHECK:         call @loom_attention_f32({{.*}}, %[[HASMASK]])
// CHECK:         loom.angular_attention
func.func @block_sparse_and_angular(%q: tensor<1x2x8x8xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x8xf32>, %w: tensor<2x3xf32>) -> (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) {
  %b = loom.block_sparse_attention %q, %k, %v {block_q = 4, block_k = 4, threshold = 0.5 : f32} : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %a = loom.angular_attention %q, %k, %v local(%w) : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<2x3xf32>) -> tensor<1x2x8x8xf32>
  return %b, %a : tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>
}

// -----

// negative_: f16 block-sparse attention is not decomposed (the kernel is f32 only).
// CHECK-LABEL: func.func @negative_block_sparse_f16(
// CHECK:         loom.block_sparse_attention
// CHECK-NOT:     call @loom_attention_f32
func.func @negative_block_sparse_f16(%q: tensor<1x2x8x8xf16>) -> tensor<1x2x8x8xf16> {
  %b = loom.block_sparse_attention %q, %q, %q {block_q = 4, block_k = 4, top_k = 1} : (tensor<1x2x8x8xf16>, tensor<1x2x8x8xf16>, tensor<1x2x8x8xf16>) -> tensor<1x2x8x8xf16>
  return %b : tensor<1x2x8x8xf16>
}
