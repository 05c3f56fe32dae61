// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s
// RUN: loom-opt %s --loom-cpu-pipeline=reference=true | FileCheck %s --check-prefix=REF
// RUN: loom-opt %s --loom-cpu-pipeline=results-to-out-params=false | FileCheck %s --check-prefix=RESULTS
// RUN: loom-opt %s --loom-cpu-pipeline="reference=true fixed-point=16,6,trn,wrap" | FileCheck %s --check-prefix=FIXED
// RUN: not loom-opt %s --loom-cpu-pipeline="fixed-point=16,6" 2>&1 | FileCheck %s --check-prefix=FIXEDFAST
// RUN: not loom-opt %s --loom-cpu-pipeline="reference=true fixed-point=16,6,even" 2>&1 | FileCheck %s --check-prefix=FIXEDMODE
// RUN: not loom-opt %s --loom-cpu-pipeline="reference=true fixed-point=30,6" 2>&1 | FileCheck %s --check-prefix=FIXEDWIDTH
// RUN: not loom-opt %s --loom-cpu-pipeline="reference=true fixed-point=16" 2>&1 | FileCheck %s --check-prefix=FIXEDSYNTAX

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

// fixed-point=W,I,...: the reference path's loop IR computes as ap_fixed
// does (loom-hls-emulate-fixed-point; numbers checked by
// test/HLS/fixed-point-cpu.test); invalid formats, or the fast path, are
// errors before anything runs.
// FIXED: module attributes {hls.overflow = "wrap", hls.precision = "fixed<16,6>", hls.rounding = "trn"
// FIXED-LABEL: llvm.func @attn(
// FIXED: llvm.intr.floor
// FIXED: llvm.intr.exp
// FIXED: llvm.return{{$}}
// FIXEDFAST: error: loom-cpu-pipeline: fixed-point needs reference=true
// FIXEDMODE: error: loom-cpu-pipeline: rounding 'even' is not conv (AP_RND_CONV), rnd (AP_RND) or trn (AP_TRN)
// FIXEDWIDTH: error: loom-cpu-pipeline: width 30 is out of range: 2 to 24 bits
// FIXEDSYNTAX: error: loom-cpu-pipeline: fixed-point '16' is not W,I[,rounding[,overflow]]

// Without out-params the descriptors are returned.
// RESULTS-LABEL: llvm.func @attn(
// RESULTS-SAME: -> !llvm.struct<(ptr, ptr, i64, array<4 x i64>, array<4 x i64>)>
func.func @attn(%q: tensor<1x2x3x4xf32>, %k: tensor<1x1x3x4xf32>, %v: tensor<1x1x3x4xf32>) -> tensor<1x2x3x4xf32> {
  %o = loom.attention %q, %k, %v {causal} : (tensor<1x2x3x4xf32>, tensor<1x1x3x4xf32>, tensor<1x1x3x4xf32>) -> tensor<1x2x3x4xf32>
  return %o : tensor<1x2x3x4xf32>
}
