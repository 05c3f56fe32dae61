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

def LoomHLSEmulateFixedPoint
    : Pass<"loom-hls-emulate-fixed-point", "::mlir::ModuleOp"> {
  let summary = "Compute loop IR's f32 values as ap_fixed<W,I,Q,O> does";
  let description = [{
    The CPU side of the HLS target's fixed-point semantics
    (docs/HLSFixedPoint.md): rewrites loop IR so that every f32 value lies on
    the ap_fixed<W,I,Q,O> grid exactly as the emitted C++ computes it, where
    every f32 SSA value is a `data_t` variable and each op rounds once. A CPU
    run of the result equals the HLS C simulation bit for bit.

    quantize(x): x in f64 times 2^F (F = W - I), rounded to an integer per
    `rounding` (conv: AP_RND_CONV, ties to even; rnd: AP_RND, ties towards
    +infinity; trn: AP_TRN, floor), saturated to [-2^(W-1), 2^(W-1) - 1]
    (sat) or wrapped to W bits in two's complement (wrap), over 2^F, in f32.
    Infinities and NaNs saturate by their sign bit or wrap to 0, as
    ap_fixed's conversion from double does.

    - `arith.addf`, `subf`, `mulf`, `negf`: computed exactly in f64 from the
      f32 operands (exact since W <= 24), then quantized.
    - `arith.divf`, `remf`, `maximumf`/`minimumf`/`maxnumf`/`minnumf`,
      `sitofp`/`uitofp`, `extf`/`truncf` to f32 and the math ops on f32
      (exp, log, sqrt, rsqrt, tanh, erf, powf, ...): computed in f32 as the
      C++ `data_t(expf(float(x)))` does, then quantized.
    - f32 `arith.constant`s are replaced by their quantized value; every f32
      `memref.load`/`affine.load` and f32 argument of a function is quantized
      (inputs and weights become `data_t` when the testbench or the array
      initialiser converts them; idempotent on data already on the grid), so
      the rewrite does not depend on where buffers are allocated. An f32
      `memref.copy` becomes a loop nest of rounded loads and stores (an input
      or a weight returned through an out-param is rounded as well).
    - Comparisons, `arith.select`, `fptosi`/`fptoui`, loads and stores are
      unchanged otherwise.

    Also sets the module attributes `hls.precision = "fixed<W,I>"`,
    `hls.rounding` and `hls.overflow`.

    #### Input invariant
    Loop IR: func.func on memrefs, scf loops, scalar arith/math ops with f32
    data.

    #### Output IR
    The same loops; each rounded value is computed by `math.floor`, compares
    and selects in f64. Errors with the op's location: invalid options, data
    of another float type (f16, bf16, f64 arithmetic, vectors of floats),
    `math.fma` and any other op that makes an f32 value whose rounding is
    unknown.
  }];
  let options = [
    Option<"width", "width", "int64_t", "16",
           "W: total bits, sign included (2 to 24)">,
    Option<"intBits", "int-bits", "int64_t", "6",
           "I: integer bits, sign included (0 to W)">,
    Option<"rounding", "rounding", "std::string", "\"conv\"",
           "conv (AP_RND_CONV), rnd (AP_RND) or trn (AP_TRN)">,
    Option<"overflow", "overflow", "std::string", "\"sat\"",
           "sat (AP_SAT) or wrap (AP_WRAP)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
  let statistics = [
    Statistic<"numRounded", "rounded-values",
              "f32 values rounded onto the fixed-point grid">,
    Statistic<"numConstants", "rounded-constants",
              "f32 constants replaced by their rounded value">
  ];
}

#endif // LOOM_HLS_PASSES_TD
