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
    (keys, values, positions, length, next position; a quantized cache holds i8
    codes in place of keys and values and adds scales, zero points and the
    residual window, see docs/KVCache.md). Ops the pass cannot lower are
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

    A `loom.block_sparse_attention` on static f32 tensors (any selection:
    `block_mask`, `top_k` or `threshold`) first becomes its block selection
    as an additive 0/-inf mask and a masked `loom.attention` (the first step
    of its reference lowering), which the kernel then takes.

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

//===----------------------------------------------------------------------===//
// GPU: loops and buffers of a bufferized function to kernels
//===----------------------------------------------------------------------===//

def LoomSinkReductionDims : Pass<"loom-sink-reduction-dims", "::mlir::func::FuncOp"> {
  let summary = "Interchange the loops of linalg ops so that reduction dimensions are innermost";
  let description = [{
    Part of `loom-gpu-pipeline`, before `convert-linalg-to-parallel-loops`.
    That pass turns each run of parallel dimensions into an `scf.parallel`
    and each reduction dimension into an `scf.for`, in loop order: a
    reduction over a middle dimension (softmax over axis 1) gives a parallel
    loop nested in a sequential loop nested in a parallel loop, which the
    GPU mapping does not handle. With every reduction dimension moved after
    the parallel ones, each linalg op becomes one `scf.parallel` over all its
    parallel dimensions with its reductions as `scf.for` inside: one thread
    per output element. Named ops that need it are generalized first.

    #### Input invariant
    Bufferized IR.

    #### Output IR
    In every linalg op, no parallel iterator follows a reduction iterator.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
  let statistics = [
    Statistic<"numInterchanged", "interchanged-ops", "linalg ops whose loops were interchanged">,
  ];
}

def ConvertLinalgReductionsToGPU : Pass<"convert-linalg-reductions-to-gpu", "::mlir::func::FuncOp"> {
  let summary = "Give each output element of a linalg reduction a warp of its own";
  let description = [{
    Part of `loom-gpu-pipeline`'s fast path, after
    `loom-sink-reduction-dims` and before `convert-linalg-to-parallel-loops`.
    A `linalg.generic` on buffers that reduces its innermost dimension only,
    into one f32 or i32 output, with a body whose accumulator is used once,
    by a combining op (`addf`, `mulf`, `maximumf`, `minimumf`, `maxnumf`,
    `minnumf` and their integer counterparts, `andi`, `ori`, `xori`) whose
    result it yields, becomes a `gpu.launch` with one warp per output
    element (`warps-per-block` warps in a block): each lane folds elements
    lane, lane + 32, ... of its row, computed by the op's body, starting from
    the combining op's neutral element; a uniform `gpu.subgroup_reduce`
    combines the 32 partial results (warp shuffles after
    `loom-expand-subgroup-reduce`), and lane 0 folds the total into the
    output. Warps past the last row compute row 0 and store nothing, so that
    every lane takes part in the shuffles.

    Softmax's maximum and sum, the norms' sums of squares and the dot
    products of attention and matmuls take this path; rows shorter than
    `min-reduction-size` keep one thread per output element. Float results
    differ from the sequential reference within rounding (the sum is
    reassociated).

    #### Input invariant
    Bufferized IR whose linalg ops have their reduction dimensions last.

    #### Output IR
    The matched ops are `gpu.launch` kernels; the others are untouched.
  }];
  let options = [
    Option<"warpsPerBlock", "warps-per-block", "unsigned", /*default=*/"8",
           "Warps (output elements) per block">,
    Option<"minReductionSize", "min-reduction-size", "int64_t",
           /*default=*/"32",
           "Reductions over fewer (static) elements keep a thread per "
           "output element">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
  let statistics = [
    Statistic<"numWarpReductions", "warp-reductions", "Reductions given a warp per output element">,
  ];
}

def LoomExpandSubgroupReduce : Pass<"loom-expand-subgroup-reduce", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Expand gpu.subgroup_reduce into warp shuffles";
  let description = [{
    Part of `loom-gpu-pipeline`'s NVVM stage, before `convert-gpu-to-nvvm`
    (which lowers `gpu.shuffle` to `nvvm.shfl.sync` but not
    `gpu.subgroup_reduce` of floats): upstream's butterfly lowering of each
    `gpu.subgroup_reduce` into five `gpu.shuffle xor` steps over 32 lanes
    (values wider than 32 bits are broken down first).

    #### Output IR
    No `gpu.subgroup_reduce` ops.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def LoomCollapseParallelLoops : Pass<"loom-collapse-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Collapse every outermost scf.parallel into one dimension";
  let description = [{
    Part of `loom-gpu-pipeline`. `gpu-map-parallel-loops` maps the first
    three dimensions of an outermost `scf.parallel` to the grid and runs any
    further dimension sequentially in each thread, and a rank-4 elementwise
    loop over `[1, 4, 16, 64]` would give a grid of 1 x 4 x 16 blocks of one
    thread each. Collapsed into one dimension first, the loop is tiled by
    `scf-parallel-loop-tiling` into blocks of a fixed number of threads and
    every element gets a thread of its own; each thread recovers its
    indices with one division and remainder per dimension.

    Loops with reductions (`scf.reduce` with operands), loops nested in
    another `scf.parallel` or a `gpu.launch`, and one-dimensional loops are
    left alone. An outermost loop with another `scf.parallel` inside it is an
    error: the GPU mapping would give the inner loop's iterations to threads
    of blocks that run the outer loop's sequential parts
    (`loom-sink-reduction-dims` avoids that shape).

    #### Input invariant
    Bufferized IR after `convert-linalg-to-parallel-loops`.

    #### Output IR
    Every outermost `scf.parallel` without reductions has one dimension,
    from 0 with step 1.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
  ];
  let statistics = [
    Statistic<"numCollapsed", "collapsed-loops", "scf.parallel ops collapsed to one dimension">,
  ];
}

def ConvertSerialCodeToGPU : Pass<"convert-serial-code-to-gpu", "::mlir::func::FuncOp"> {
  let summary = "Run the code that touches buffer contents outside kernels in one-thread kernels";
  let description = [{
    Part of `loom-gpu-pipeline`, after `convert-parallel-loops-to-gpu`. Every
    buffer of the host function lives in GPU memory, so the host may only
    compute addresses and launch kernels. Whatever still reads or writes a
    buffer outside a `gpu.launch` (the loops of linalg ops without parallel
    dimensions, such as full reductions; the scalar bodies of rank-0 ops;
    `scf.for` nests the bufferization left) is moved, as a whole outermost
    op, into a `gpu.launch` of one block of one thread. Correct, and slow:
    only small, rare work takes this path (docs/GPU.md).

    An op is moved when it, and everything nested in it, can run on the GPU
    (no `gpu.launch`, allocation, deallocation or call inside) and none of
    its results is used after it. A `memref.load` whose value the host needs
    (the condition of the KV cache's capacity check, for example) becomes a
    `gpu.memcpy` of that one element into a host stack buffer and a load from
    there: the host waits for the kernels before it (docs/GPU.md). Anything
    else that the host would need from a buffer is an error at the op.

    #### Input invariant
    Bufferized IR in which parallel loops are already `gpu.launch` ops.

    #### Output IR
    Outside `gpu.launch` bodies no op reads or writes buffer contents, except
    loads from the host stack buffers of the copies above.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
  ];
  let statistics = [
    Statistic<"numSerialKernels", "serial-kernels", "One-thread kernels created">,
    Statistic<"numHostReads", "host-reads", "Elements copied to the host for host decisions">,
  ];
}

def LoomGPUDeviceBuffers : Pass<"loom-gpu-device-buffers", "::mlir::func::FuncOp"> {
  let summary = "Allocate the host function's temporaries in GPU memory";
  let description = [{
    Part of `loom-gpu-pipeline`, after every access to buffer contents has
    moved into kernels. `memref.alloc` and `memref.dealloc` outside kernels
    become `gpu.alloc` and `gpu.dealloc`: the host function only passes its
    temporaries to kernels. `bufferization.dealloc` (from
    `ownership-based-buffer-deallocation`) becomes one `gpu.dealloc` per
    operand under an `scf.if`: freed when an operand with the same address
    has its condition set, no retained buffer has that address and no
    earlier operand had it; the updated conditions are computed the same
    way. Upstream's `lower-deallocations` would keep these lists in buffers,
    which are GPU memory here. A `memref.alloca` outside kernels is host stack
    memory (the target of a `gpu.memcpy` from `convert-serial-code-to-gpu`)
    and an error if a kernel uses it; allocations inside kernels are left
    alone.

    #### Input invariant
    The output of `convert-serial-code-to-gpu`.

    #### Output IR
    No `memref.alloc`, `memref.dealloc` or `bufferization.dealloc` outside
    `gpu.launch` bodies.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def LoomEmulateGPUKernels : Pass<"loom-emulate-gpu-kernels", "::mlir::ModuleOp"> {
  let summary = "Test aid: run loom-gpu-pipeline's kernel stage and execute its kernels as host loops";
  let description = [{
    There is no GPU where the tests run. This pass lets them execute what
    Loom itself decides for the GPU (tiling into blocks and threads, bound
    checks, index recovery, one-thread kernels, host reads, the alias checks
    of deallocation) on the host, against the CPU reference: it runs
    `loom-gpu-pipeline` up to and including its kernel stage (before
    outlining and NVVM), then turns every `gpu.launch` into a loop nest over
    its blocks and threads (valid because the kernels of that stage have no
    barriers or inter-thread communication), `gpu.alloc` into `memref.alloc`,
    `gpu.memcpy` into `memref.copy`, drops `gpu.dealloc` (the CPU pipeline
    deallocates again), and gives every public function back its tensor
    signature through a wrapper, so that `loom-run` runs the result.

    The NVVM lowering, ptxas and the CUDA host runtime are not exercised.

    #### Input invariant
    loom IR on tensors, as `loom-gpu-pipeline` takes it.

    #### Output IR
    Each public function `@f` with a body keeps its name and tensor signature
    and calls the private `@f.gpu`, the kernel stage's memref function with
    its kernels as loops.
  }];
  let options = [
    Option<"reference", "reference", "bool", /*default=*/"false",
           "Run the kernel stage of loom-gpu-pipeline{reference=true}">,
    Option<"blockSize", "block-size", "unsigned", /*default=*/"256",
           "loom-gpu-pipeline's block-size">,
    Option<"dtype", "dtype", "std::string", /*default=*/"\"f32\"",
           "loom-gpu-pipeline's dtype">,
    Option<"kernelStage", "kernel-stage", "bool", /*default=*/"true",
           "Run the kernel stage first; with false the input is already its "
           "output (memref functions with gpu.launch kernels), which is only "
           "emulated, without tensor wrappers">,
  ];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def ConvertGPUHostToLoomCUDA : Pass<"convert-gpu-host-to-loom-cuda", "::mlir::ModuleOp"> {
  let summary = "Lower the host side of loom-gpu-pipeline's output to the LLVM dialect on Loom's CUDA host runtime";
  let description = [{
    Used by `loomc --target=cuda` after `loom-gpu-pipeline` (upstream's
    `gpu-to-llvm` targets MLIR's own runtime wrappers instead, which load
    every kernel at start-up, create a stream per launch and have no error
    reporting). The host functions become LLVM functions whose GPU
    operations call the C runtime that model.so links in
    (include/loom/Target/CUDA/HostRuntime.h):

    - `gpu.launch_func @k::@f` becomes `loom_cuda_launch(index, grid...,
      block..., params)`, where `index` is `@k`'s position among the
      module's `gpu.binary` (or `gpu.module`) ops and `params` points to the
      kernel's parameters as the NVVM lowering expands them (each memref as
      allocated pointer, aligned pointer, offset, sizes, strides), in stack
      slots released after the call;
    - `gpu.alloc` / `gpu.dealloc` become `loom_cuda_alloc(bytes)` /
      `loom_cuda_free(pointer)` (identity layouts only);
    - `gpu.memcpy` between contiguous static buffers becomes
      `loom_cuda_memcpy(destination, source, bytes)`;
    - `memref.get_global` of a constant `memref.global` becomes
      `loom_cuda_weight(index, host address, bytes)`, the device copy of the
      constant (its index is the global's position among the module's
      constant globals); the global itself stays, as the host copy.

    Everything else on the host (func, arith, cf, memref views and host
    stack buffers, index) takes the standard LLVM lowering; `gpu.binary` and
    `gpu.module` ops are left for the target to take out.

    #### Input invariant
    The output of `loom-gpu-pipeline` after `lower-affine`,
    `convert-scf-to-cf` and `expand-strided-metadata` on the host: no
    asynchronous GPU ops, no dynamic shared memory or clusters, no mutable
    globals.

    #### Output IR
    Host code in the LLVM dialect, with declarations of the runtime's
    `loom_cuda_*` functions.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
  let statistics = [
    Statistic<"numLaunches", "launches", "gpu.launch_func ops lowered">,
    Statistic<"numWeights", "weights", "Constant globals uploaded by the runtime">,
  ];
}

def ConvertHLSLoopsToEmitC : Pass<"convert-hls-loops-to-emitc", "::mlir::ModuleOp"> {
  let summary = "Convert the HLS target's directed loop IR to EmitC";
  let description = [{
    The last step of `loom-hls-pipeline` before `loom-translate
    --emit-hls-cpp`: loop IR (functions on static-shape memrefs, `scf.for`,
    `memref.load`/`store`/`alloca`/`get_global`, arith and math ops) and its
    directive attributes become EmitC, an IR of C++ constructs that the
    upstream C++ emitter prints.

    Every f32 value becomes a `data_t`, the typedef the module's precision
    names (`hls.precision`: `float`, or `fixed<W,I>` with `hls.rounding`
    and `hls.overflow`, which becomes `ap_fixed<W,I,Q,O>`). Each op is its
    own statement whose result is assigned to a `data_t` variable, so each
    rounds once: +, -, * and negation are ap_fixed's exact arithmetic then a
    quantisation; division and math functions are computed in float by the
    `loom_hls::` helpers of `loom_hls.h` and quantised. Constant globals
    (weights) become `static const data_t` arrays.

    Directives become pragmas (`emitc.verbatim`): `hls.pipeline_ii` on a
    loop gives `#pragma HLS PIPELINE II=<n>`, `hls.unroll` gives
    `#pragma HLS UNROLL [factor=<n>]`, `hls.array_partition` and
    `hls.bind_storage` on a local array give `ARRAY_PARTITION` and
    `BIND_STORAGE`, `hls.top` on a function gives an `INTERFACE mode=m_axi`
    pragma per array argument (one bundle each, its depth the array's size)
    and `INTERFACE mode=s_axilite port=return`.

    #### Input invariant
    Loop IR as `loom-hls-local-buffers` and `convert-linalg-to-loops` leave
    it: no tensors, no linalg, no heap allocation, f32 data.

    #### Output IR
    EmitC only. Anything else (f64 or f16 data, dynamic shapes, an op
    without a C++ form) is an error naming the op.
  }];
  let dependentDialects = ["::mlir::emitc::EmitCDialect"];
}

def ConvertLoomToHLS : Pass<"convert-loom-to-hls"> {
  let summary = "Hardware-friendly forms of loom ops for the HLS target";
  let description = [{
    Runs before `convert-loom-to-linalg` in the HLS pipeline and rewrites the
    loom ops that have a better hardware form (docs/HLSOps.md) into upstream
    ops on tensors (scf.for with iter_args, tensor.extract/insert,
    linalg.generic) plus `hls.shift`:

    - `loom.attention` (f32 tensors; causal, GQA/MQA, scale, f32 mask) as a
      streaming pipeline with deferred softmax normalisation: per query row a
      running max, a running sum and a `[Dv]` accumulator, updated key by
      key; the output row is divided once at the end. Extra memory is O(Dv)
      per row, independent of the sequence length (no `[Sq,Skv]` scores).
    - `loom.shift_matmul` (f32 input and result): every product
      `x * s * 2^p` is `+-hls.shift(x, p)` (no multiplication by a weight).
    - `loom.bcq_matmul` (f32 input and result): per row of `x`, a table of
      the 256 signed sums of every byte's eight activations, then each
      packed weight byte is one lookup, the group sums scaled by
      `hls.shift`. Same additions in the same order as the reference, so the
      same bits.

    #### Input invariant
    Verifier-valid loom IR on tensors.

    #### Output IR
    The supported ops replaced as above. Every other form (a KV cache
    operand, window, sinks, Hamming scores, the key-scores result, other
    element types, dynamic shapes) is left unchanged for the reference
    lowering, with a remark that says why.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::hls::HLSDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
  let statistics = [
    Statistic<"numAttention", "attention", "loom.attention ops streamed">,
    Statistic<"numShiftMatmul", "shift-matmul",
              "loom.shift_matmul ops lowered to shifts">,
    Statistic<"numBCQMatmul", "bcq-matmul",
              "loom.bcq_matmul ops lowered to table lookups">,
    Statistic<"numLeft", "left", "Ops left to the reference lowering">,
  ];
}

def ConvertHLSToArith : Pass<"convert-hls-to-arith"> {
  let summary = "Lower hls dialect ops to upstream arith for the CPU";
  let description = [{
    The CPU form of the hls dialect, so that programs of the HLS target run
    with the CPU pipeline (and the HLS lowerings are tested by execution).

    `hls.shift %x, %e` (`x * 2^e`) becomes a product by exact powers of two
    built from the exponent bits, `bitcast((e + 127) << 23) : f32`, which is
    exact for `-126 <= e <= 127`: the exponent is split as
    `e = e1 + e2 + e3`, each clamped to that range
    (`e1 = clamp(e, -126, 127)`, `e2 = clamp(e - e1, -126, 127)`, ...), and
    the result is `((x * 2^e1) * 2^e2) * 2^e3`, which covers every
    exponent whose products are not all zero or infinite. Every normal,
    zero or infinite result equals `ldexpf(x, e)`; for `e < -126` a
    subnormal result may round twice (once in an intermediate product) and
    differ from `ldexpf` in its last bit. A constant `e` folds into
    constant factors (one product when `e` is in `[-126, 127]`).

    #### Output IR
    No hls ops.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

#endif // LOOM_CONVERSION_PASSES_TD
