//===- Passes.td - HLS passes --------------------------------*- tablegen -*-===//
//
// The passes of the HLS target between the reference lowering's loops and
// the EmitC emitter (docs/HLS.md): they work on loop IR (scf.for nests over
// static-shape memrefs) and its directive attributes (`hls.pipeline_ii`,
// `hls.unroll`, `hls.array_partition`, `hls.dataflow`, ...).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_HLS_PASSES_TD
#define LOOM_HLS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LoomHLSLocalBuffers : Pass<"loom-hls-local-buffers", "::mlir::ModuleOp"> {
  let summary = "Turn heap buffers into local arrays (no dynamic allocation)";
  let description = [{
    Synthesisable HLS code allocates nothing at run time: every buffer is a
    local array of a size known at compile time, which HLS maps to BRAM,
    LUTRAM or registers. This pass replaces each `memref.alloc` of a static
    shape by a `memref.alloca` of the same type and erases every
    `memref.dealloc`.

    #### Input invariant
    Buffers (after one-shot bufferization), every allocated shape static.

    #### Output IR
    No `memref.alloc` or `memref.dealloc`. An allocation of a dynamic shape
    is an error that names its location ("HLS code needs static shapes").
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
  let statistics = [
    Statistic<"numLocalBuffers", "local-buffers",
              "Heap buffers made local arrays">
  ];
}

def LoomHLSSpecializeExperts
    : Pass<"loom-hls-specialize-experts", "::mlir::ModuleOp"> {
  let summary = "Fix a task's experts of every loom.moe.ffn (unused experts disappear)";
  let description = [{
    A deployed FPGA design often serves one task whose experts are known
    (the expert selection of the task, measured offline): only those
    experts need hardware. This pass keeps the experts listed in `experts`
    (ascending indices) of every `loom.moe.ffn` and drops the others: the
    router weight keeps their columns, `w1`/`w2`/`w3` their rows, and the
    op then has `E' = len(experts)` experts with the same routing
    attributes. The result equals the original layer with the router
    forced to those experts (the other experts' logits set to -inf before
    routing: softmax and top-k over the kept experts only).

    Constant weights (`arith.constant` of dense or dense_resource data) are
    folded into new constants of the kept experts, and the old constants are
    erased when nothing else uses them, so the unused experts' weights
    disappear from the module; other weights are sliced with
    `tensor.extract_slice` + `tensor.concat`.

    #### Input invariant
    `loom.moe.ffn` ops on tensors (before `loom-decompose-moe` and the
    reference lowering).

    #### Output IR
    Each `loom.moe.ffn` with `E'` experts. Errors (with the op's location):
    an empty, unsorted or repeated `experts` list, an index `>= E`, fewer
    kept experts than the routing's `k` (or `k_max`), a `capacity_factor`
    (the capacity depends on the number of experts), expert `kinds` other
    than ffn, and quantized experts.
  }];
  let options = [
    ListOption<"experts", "experts", "int64_t",
               "Indices of the experts to keep (ascending)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numSpecialized", "specialized", "loom.moe.ffn ops specialised">,
    Statistic<"numDroppedBytes", "dropped-bytes",
              "Bytes of constant expert weights removed">,
  ];
}

#endif // LOOM_HLS_PASSES_TD
