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

def LoomHLSDirectives : Pass<"loom-hls-directives", "::mlir::ModuleOp"> {
  let summary = "Attach the HLS directive attributes (pipeline, unroll, "
                "array partition, top) to loop IR";
  let description = [{
    Decides the pragmas of the emitted HLS C++ on loop IR (scf.for nests over
    static-shape memrefs) and records them as the discardable attributes of
    the HLS contract (docs/HLS.md, docs/HLSEstimator.md):

    - `hls.top` (unit) on the function named by `top`, or, when `top` is
      empty, on every public function with a body;
    - `hls.pipeline_ii = ii` on the innermost `scf.for` of every nest;
    - with `unroll` > 1 (or 0 = full): `hls.unroll = unroll` on those
      innermost loops, and on every local array (`memref.alloca`) that such a
      loop indexes with its induction variable in dimension d,
      `hls.array_partition`, a list with the entry
      `dim = d+1, factor = unroll, type = "cyclic"` (HLS dimensions are
      1-based); a complete partition (`type =
      "complete"`, factor = the extent) when the factor covers the extent or
      `unroll` = 0, so the unrolled copies read distinct banks.

    #### Input invariant
    Loop IR: `scf.for` loops whose trip counts are constants (or carry
    `hls.trip_count`). A loop without a known trip count is an error at its
    location (HLS needs a trip count to pipeline and to size the schedule).

    #### Output IR
    The same IR with the attributes above. Bad options (`ii` < 1, `unroll`
    < 0, a `top` that names no function with a body) are errors.
  }];
  let options = [
    Option<"ii", "ii", "int64_t", /*default=*/"1",
           "Requested initiation interval of the pipelined (innermost) loops">,
    Option<"unroll", "unroll", "int64_t", /*default=*/"1",
           "Unroll factor of the innermost loops (1 = none, 0 = full)">,
    Option<"top", "top", "std::string", /*default=*/"\"\"",
           "Name of the top function (default: every public function with "
           "a body)">
  ];
  let statistics = [
    Statistic<"numPipelined", "pipelined-loops", "Loops given hls.pipeline_ii">,
    Statistic<"numPartitioned", "partitioned-arrays",
              "Local arrays given hls.array_partition">
  ];
}

def LoomHLSEstimate : Pass<"loom-hls-estimate", "::mlir::ModuleOp"> {
  let summary = "Estimate latency and FPGA resources of directed loop IR";
  let description = [{
    An analysis of (directed) loop IR that prints, per top function (and
    per stage of a `hls.dataflow` top), the latency in cycles and the DSP,
    BRAM_18K, LUT and FF counts of the design HLS would build, with the
    utilisation of a named part; the IR is left unchanged. The model
    (docs/HLSEstimator.md): per-operation latency and resources from a
    documented cost table chosen by the module's `hls.precision`; straight
    line code takes its critical path; a sequential loop takes
    trip * (body + 1); a pipelined loop takes (trip - 1) * II + depth with
    II = max(requested II, recurrence bound, memory-port bound); loops
    inside a pipelined loop are fully unrolled.

    #### Input invariant
    Loop IR (memrefs, scf.for with constant trip counts, arith/math/memref
    ops). Tensors, linalg ops, loops without trip counts and operations the
    cost table does not know are errors at their location.

    #### Output IR
    Unchanged. The table goes to stdout; `json=FILE` also writes it as JSON
    (`-` = stdout).
  }];
  let options = [
    Option<"part", "part", "std::string", /*default=*/"\"u280\"",
           "FPGA part: u280 (Alveo U280, xcu280) or zcu102 (xczu9eg)">,
    Option<"clockMHz", "clock-mhz", "int64_t", /*default=*/"0",
           "Clock in MHz (0 = the part's default: 300 for u280, 200 for "
           "zcu102)">,
    Option<"json", "json", "std::string", /*default=*/"\"\"",
           "Also write the estimate as JSON to this file (- = stdout)">,
    Option<"table", "table", "bool", /*default=*/"true",
           "Print the table on stdout (loomc writes only the JSON)">
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

def LoomHLSDataflow : Pass<"loom-hls-dataflow", "::mlir::ModuleOp"> {
  let summary = "Make the top-level loop nests of each top function DATAFLOW "
                "stages connected by on-chip channels";
  let description = [{
    On directed loop IR (docs/HLSDataflow.md): each top function (`hls.top`)
    whose body is a sequence of top-level `scf.for` nests (plus constants,
    local arrays, weights and reshaped views of them) becomes a DATAFLOW
    region: every nest is outlined into a private function
    `<top>_stage<i>` that takes the buffers it touches as arguments, the
    top is marked `hls.dataflow` and its body is the sequence of calls.

    Vitis DATAFLOW needs each channel written by one process and read by
    one later process. Loop IR reuses buffers (bufferization writes a layer
    in place of its input), so channels are made by renaming:
    - every stage that writes a local array writes a new version of it (its
      own channel). An elementwise in-place stage (perfect nest over the
      full shape, identity indices, loads before the store) reads the old
      version and writes the new one; any other stage that reads and writes
      the array, or partly overwrites it, copies the old version into a
      stage-local working array, computes there and copies it out;
    - a version read by k > 1 stages is written k times by its producer
      (one copy per reader);
    - an argument touched by more than one stage gets a local shadow array,
      filled by a first stage and copied back by a last stage.
    A channel between adjacent stages that the producer writes and the
    consumer reads each exactly once per element in row-major order (both
    perfect nests of unit-stride loops over the full shape with identity
    indices) becomes an `hls::stream` FIFO: the alloca gets
    `hls.stream = 2` and the memref type the memory space "hls.stream",
    when it is the only channel between the two stages and no ping-pong
    array joins two stages of the same chain of streams (either would
    deadlock depth-2 FIFOs). Other channels stay arrays (ping-pong
    buffers).

    #### Input invariant
    Directed loop IR on buffers with `hls.top` functions. No `hls.top`, or
    tensors and linalg ops in a top, are errors. A top with fewer than two
    nests, other top-level ops, or buffers accessed other than by
    memref.load/store is left unchanged with a remark that says why.

    #### Output IR
    The tops marked `hls.dataflow`, calling private stage functions; the
    stages' loops keep their directives (new copy loops get
    `hls.pipeline_ii`).
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
  let statistics = [
    Statistic<"numStages", "stages", "Stage functions outlined">,
    Statistic<"numStreams", "stream-channels", "Channels made hls::stream">,
    Statistic<"numArrays", "array-channels",
              "Channels kept as arrays (ping-pong)">,
    Statistic<"numCopies", "copied-channels",
              "Extra channel copies for a second reader">,
    Statistic<"numLeft", "tops-left", "Top functions left unchanged">
  ];
}

#endif // LOOM_HLS_PASSES_TD
