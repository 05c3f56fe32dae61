// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s
// RUN: loom-opt %s --loom-cpu-pipeline=reference=true | FileCheck %s --check-prefix=REF
// RUN: loom-opt %s --loom-cpu-pipeline=results-to-out-params=false | FileCheck %s --check-prefix=RESULTS

// The pipeline ends in the LLVM dialect; tensor results become caller-allocated
// out-params (two expanded rank-4 memref descriptors after the three inputs'),
// so the entry returns nothing. Numbers are checked by test/Integration, which
// runs every execution test on both paths.

// The fast path (default): f32 attention becomes a call of the CPU kernel
// (through its C-interface wrapper), temporaries come from the kernel
// library's allocator.
// CHECK: llvm.func @_mlir_ciface_loom_attention_f32(
// CHECK-LABEL: llvm.func @attn(
// CHECK-NOT: loom.
// CHECK-NOT: -> !llvm.struct
// CHECK: llvm.call @_mlir_memref_to_llvm_alloc
// CHECK: llvm.call @loom_attention_f32(
// CHECK: llvm.return{{$}}

// reference=true: the reference lowering through loops and libm-free
// intrinsics, plain malloc.
// REF-LABEL: llvm.func @attn(
// REF-NOT: loom_attention
// REF: llvm.call @malloc
// REF: llvm.intr.exp
// REF: llvm.return{{$}}

// Without out-params the descriptors are returned.
// RESULTS-LABEL: llvm.func @attn(
// RESULTS-SAME: -> !llvm.struct<(ptr, ptr, i64, array<4 x i64>, array<4 x i64>)>
func.func @attn(%q: tensor<1x2x3x4xf32>, %k: tensor<1x1x3x4xf32>, %v: tensor<1x1x3x4xf32>) -> tensor<1x2x3x4xf32> {
  %o = loom.attention %q, %k, %v {causal} : (tensor<1x2x3x4xf32>, tensor<1x1x3x4xf32>, tensor<1x1x3x4xf32>) -> tensor<1x2x3x4xf32>
  return %o : tensor<1x2x3x4xf32>
}
