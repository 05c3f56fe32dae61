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
  let summary = "Turn heap buffers into local arrays (no dynamic allocation) "
                "and copies into linalg.copy";
  let description = [{
    Synthesisable HLS code allocates nothing at run time: every buffer is a
    local array of a size known at compile time, which HLS maps to BRAM,
    LUTRAM or registers. This pass replaces each `memref.alloc` of a static
    shape by a `memref.alloca` of the same type and erases every
    `memref.dealloc`. Each `memref.copy` becomes a `linalg.copy`, which
    `convert-linalg-to-loops` makes an element loop (HLS infers bursts from
    it) instead of a `memcpy`.

    #### Input invariant
    Buffers (after one-shot bufferization), every allocated shape static.

    #### Output IR
    No `memref.alloc`, `memref.dealloc` or `memref.copy`. An allocation of a dynamic shape
    is an error that names its location ("HLS code needs static shapes").
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::linalg::LinalgDialect"];
  let statistics = [
    Statistic<"numLocalBuffers", "local-buffers",
              "Heap buffers made local arrays">
  ];
}

def LoomHLSSetPrecision : Pass<"loom-hls-set-precision", "::mlir::ModuleOp"> {
  let summary = "Choose the C++ type of the HLS code's data";
  let description = [{
    Records on the module the type that every f32 value of the HLS code
    becomes (`data_t`): `hls.precision = "float"` or `"fixed<W,I>"`, with
    `hls.rounding` and `hls.overflow` for fixed point (ap_fixed's AP_RND_CONV,
    AP_RND or AP_TRN, and AP_SAT or AP_WRAP). The emitter
    (`convert-hls-loops-to-emitc`), the estimator and the fixed-point
    emulation read them. Invalid options are errors.

    #### Output IR
    The input with the module attributes set.
  }];
  let options = [
    Option<"precision", "precision", "std::string", /*default=*/"\"float\"",
           "float, or fixed<W,I> (ap_fixed: W bits, I of them integer bits "
           "including the sign)">,
    Option<"rounding", "rounding", "std::string", /*default=*/"\"conv\"",
           "Quantisation of fixed point: conv (round half to even), rnd "
           "(round half up) or trn (floor)">,
    Option<"overflow", "overflow", "std::string", /*default=*/"\"sat\"",
           "Overflow of fixed point: sat (saturate) or wrap">,
  ];
}

#endif // LOOM_HLS_PASSES_TD
