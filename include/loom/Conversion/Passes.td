//===- Passes.td - Loom conversion passes -------------------*- tablegen -*-===//

#ifndef LOOM_CONVERSION_PASSES_TD
#define LOOM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertLoomToLinalg : Pass<"convert-loom-to-linalg"> {
  let summary = "Lower loom ops to upstream linalg/tensor/arith/math/scf (the reference semantics)";
  let description = [{
    The reference lowering: every loom op becomes upstream ops on tensors whose
    execution defines the op's meaning. It is deliberately simple (no tiling, no
    online softmax); the specialised CPU, GPU and HLS lowerings are tested by running
    them against it on random inputs.

    #### Input invariant
    Verifier-valid IR with static shapes on loom ops.

    #### Output IR
    No loom ops remain; `!loom.kv_cache` values are replaced by their components
    (keys, values, positions, length, next position). Ops the pass cannot lower are
    reported as errors with their location.
  }];
  let options = [
    Option<"bcqLut", "bcq-lut", "bool", /*default=*/"false",
           "Lower loom.bcq_matmul through 256-entry lookup tables of signed "
           "activation sums (ShiftAddLLM inference) instead of recomputing "
           "each byte's sum; the bits are the same">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::func::FuncDialect",
  ];
}

def ConvertLinalgToCPUKernels : Pass<"convert-linalg-to-cpu-kernels", "::mlir::ModuleOp"> {
  let summary = "Replace f32 matmul-like linalg ops on buffers by calls to Loom's GEMM kernel";
  let description = [{
    Part of the fast CPU path (`loom-cpu-pipeline`). Every linalg op on
    buffers that is an f32 contraction with at most one batch, one M, one N and
    one K dimension (`linalg.matmul`, `linalg.batch_matmul`, their transposed
    and broadcast forms, `linalg.generic` with a multiply-add body) becomes a
    call to `loom_kernel_sgemm` (include/loom/Runtime/Kernels.h): a packed,
    register-tiled, multi-threaded GEMM. Each operand is passed as a pointer to
    its first element and one stride per loop dimension (0 where the operand
    does not depend on it), read from the buffer's strided layout, so any
    projected-permutation indexing (transposes, broadcast weights) is handled
    without copies. The output is accumulated into (`C += A B`), as linalg
    defines it.

    #### Input invariant
    Bufferized IR (after one-shot bufferization and buffer deallocation).

    #### Output IR
    The matched ops are gone; `func.call @loom_kernel_sgemm` with `!llvm.ptr`
    and `i64` operands takes their place, and the declaration is added once.
    Other linalg ops are untouched.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
  ];
  let statistics = [
    Statistic<"numKernelCalls", "kernel-calls", "Contractions replaced by GEMM kernel calls">,
  ];
}

def ConvertParallelLoopsToCPUPool : Pass<"convert-parallel-loops-to-cpu-pool", "::mlir::ModuleOp"> {
  let summary = "Run outermost scf.parallel loops on the compiled model's thread pool";
  let description = [{
    Part of the fast CPU path (`loom-cpu-pipeline`), after the linalg ops no
    kernel took are lowered to `scf.parallel` nests. Every outermost
    `scf.parallel` with static bounds, no results and at least `min-work`
    operations in total (ops of the body times static trip counts) is
    outlined into a private function of the pool's body type
    `(!llvm.ptr context, i64 begin, i64 end, i32 worker)` that runs
    iterations [begin, end) of its first dimension with more than one
    iteration (the others whole), and replaced by a call to
    `loom_parallel_for(trip count, grain, function, context)`
    (include/loom/Runtime/Kernels.h). The values the loop uses travel in a
    struct allocated on the caller's stack at function entry: index values as
    i64, buffers as their LLVM memref descriptors (through
    `builtin.unrealized_conversion_cast`, resolved by the LLVM conversions),
    constants cloned into the body. The grain gives every chunk at least
    `min-work` operations. Loops below the threshold, with dynamic bounds or
    using values of other types stay serial.

    Every iteration of an `scf.parallel` writes its own elements and the
    reductions inside run sequentially, so results are bit-identical whatever
    the thread count.

    #### Input invariant
    Bufferized IR with `scf.parallel` loops (convert-linalg-to-parallel-loops).

    #### Output IR
    `func.call @loom_parallel_for` and the outlined `__loom_parallel_N`
    functions in place of the parallel loops; LLVM dialect alloca, GEP, load
    and store ops for the context.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"65536",
           "Fewest operations (body ops times trip counts) for a loop to run on the pool, and per chunk">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::scf::SCFDialect",
  ];
  let statistics = [
    Statistic<"numLoops", "parallel-loops", "Loops run on the thread pool">,
  ];
}

def ConvertLoomAttentionToCPUKernels : Pass<"convert-loom-attention-to-cpu-kernels", "::mlir::ModuleOp"> {
  let summary = "Replace loom.attention on f32 tensors by a call to Loom's flash-attention kernel";
  let description = [{
    Part of the fast CPU path (`loom-cpu-pipeline`), run before the reference
    lowering. A `loom.attention` whose query, keys, values (and mask) are f32
    tensors, that reads no KV cache, returns no key scores and is not Hamming
    attention becomes a call to `loom_attention_f32` (C interface, memref
    descriptors): online softmax over key tiles, GQA heads sharing K/V tile
    loads, fully masked causal/window tiles skipped, multi-threaded over
    batch, KV heads and query blocks. The score matrix is never materialised.
    Other forms are left for `convert-loom-to-linalg`.

    The operands cross into buffers through `bufferization.to_buffer
    read_only`, the result comes back through `bufferization.to_tensor
    restrict` of a fresh allocation, so one-shot bufferization and buffer
    deallocation see every use.

    #### Input invariant
    loom IR on tensors, before `convert-loom-to-linalg` and bufferization.

    #### Output IR
    The matched `loom.attention` ops are replaced; a private declaration
    `@loom_attention_f32` with `llvm.emit_c_interface` is added once.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
  ];
  let statistics = [
    Statistic<"numKernelCalls", "kernel-calls", "loom.attention ops replaced by kernel calls">,
  ];
}

def ConvertLoomMoEToCPUKernels : Pass<"convert-loom-moe-to-cpu-kernels", "::mlir::ModuleOp"> {
  let summary = "Replace loom.moe.experts (FFN experts, f32) and loom.moe.combine by calls of Loom's MoE kernels";
  let description = [{
    Part of the fast CPU path (`loom-cpu-pipeline`), run after
    `loom-decompose-moe` and before the reference lowering. A
    `loom.moe.experts` whose experts are all `ffn` (any activation) and whose
    rows and weights are f32 becomes a call of `loom_moe_experts_f32`: each
    expert runs the packed GEMM over the rows dispatched to it only, so the
    work is that of the selected experts (the reference lowering computes
    every row through a per-row weight gather). A `loom.moe.combine` on f32
    becomes `loom_moe_combine_f32`, a scatter of the expert rows (the reference
    scans every row for every token, with the same per-element summation
    order). Router and dispatch keep their reference lowering. MoE++
    zero/copy/constant experts are left for `convert-loom-to-linalg`.

    #### Input invariant
    loom IR on tensors, before `convert-loom-to-linalg` and bufferization.

    #### Output IR
    Matched ops are replaced by `bufferization.to_buffer read_only` operands,
    a fresh result buffer, `func.call @loom_moe_experts_f32` and
    `bufferization.to_tensor restrict`; the declaration carries
    `llvm.emit_c_interface`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
  ];
  let statistics = [
    Statistic<"numKernelCalls", "kernel-calls", "loom.moe.experts and loom.moe.combine ops replaced by kernel calls">,
  ];
}

def ConvertLoomQuantToCPUKernels : Pass<"convert-loom-quant-to-cpu-kernels", "::mlir::ModuleOp"> {
  let summary = "Replace f32 loom.qmatmul and loom.bcq_matmul by calls of Loom's quantized matmul kernels";
  let description = [{
    Part of the fast CPU path (`loom-cpu-pipeline`), run before the reference
    lowering. A statically shaped `loom.qmatmul` (int8 or packed int4,
    per-channel or per-group, with or without zero points) whose input,
    scales and result are f32 becomes a call of `loom_qmatmul_f32`, and a
    statically shaped `loom.bcq_matmul` with f32 input and result a call of
    `loom_bcq_matmul_f32` (include/loom/Runtime/Kernels.h). The kernels read
    the packed weights: the reference lowering dequantizes the whole weight
    into an f32 tensor on every call (qmatmul) or recomputes every byte's
    signed sum (bcq_matmul). The BCQ kernel keeps the op's order of
    additions (same bits); the qmatmul kernel factors each group's scale out
    of the group's sum (same values within rounding).

    f16 and bf16 activations, scales or results, and dynamic shapes, are
    left for `convert-loom-to-linalg`.

    #### Input invariant
    loom IR on tensors, before `convert-loom-to-linalg` and bufferization.

    #### Output IR
    Matched ops are replaced by `bufferization.to_buffer read_only` operands
    (per-channel scales and zero points first expanded to `[N, 1]` by
    `tensor.expand_shape`), a fresh result buffer, `func.call
    @loom_qmatmul_f32` or `@loom_bcq_matmul_f32` and
    `bufferization.to_tensor restrict`; the declarations carry
    `llvm.emit_c_interface`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::tensor::TensorDialect",
  ];
  let statistics = [
    Statistic<"numKernelCalls", "kernel-calls", "loom.qmatmul and loom.bcq_matmul ops replaced by kernel calls">,
  ];
}

#endif // LOOM_CONVERSION_PASSES_TD
