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

#endif // LOOM_HLS_PASSES_TD
