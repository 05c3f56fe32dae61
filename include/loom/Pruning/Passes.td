//===- Passes.td - Pruning passes ----------------------------*- tablegen -*-===//
//
// The passes that remove parts of a model judged redundant by measuring it
// on calibration inputs (through the CPU JIT, as the quantization passes
// do). docs/LayerSkipping.md has the design and the measured figures.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PRUNING_PASSES_TD
#define LOOM_PRUNING_PASSES_TD

include "mlir/Pass/PassBase.td"

def LoomSkipLayers : Pass<"loom-skip-layers", "::mlir::ModuleOp"> {
  let summary = "Remove the transformer sublayers that change the residual "
                "stream least";
  let description = [{
    Finds the sublayers of the entry function: a residual add `x + f(x)`
    (an elementwise f32 add, `linalg.add`, `arith.addf` or the
    `linalg.generic` the importer makes, whose operand `x` is an ancestor of
    the other) is an *attention* sublayer when its branch `f` (the ops
    between `x` and the add that depend on `x`) contains a `loom.attention`
    (or `loom.linear_attention`, `loom.block_sparse_attention`), an *MLP*
    sublayer when it contains a matmul or a `loom.moe.ffn` but no attention.
    A *block* is an attention sublayer followed by the MLP sublayer whose
    residual input is its result. Adds whose branch holds another residual
    add, or neither attention nor a matmul, are not sublayers.

    Each sublayer of the chosen `granularity` is scored on the calibration
    inputs (a copy of the model compiled with the CPU JIT, its residual
    streams tapped): the cosine similarity between the stream before it
    (`x`) and after it (`x + f(x)`), per token (the innermost dimension),
    averaged over every token of every sample. A score near 1 means the
    sublayer hardly changes the stream. With `threshold=t` every sublayer
    scoring at least `t` is removed; with `count=n`, the `n` highest-scoring
    ones. All scores come from the unmodified model (one measurement, no
    re-scoring after a removal).

    A removed sublayer's residual add is replaced by `x`; its dead branch is
    erased. A remark on each removed sublayer's add gives its score, a
    remark on the function ranks every candidate, and the function gets an
    attribute `loom.skip_layers` with the granularity, every candidate's
    score (in program order) and the removed indices.

    #### Input invariant
    A module whose entry function (`function`, or the only public one) is on
    static tensors, as loom-optimize-pipeline leaves an imported model after
    raising (the attention must be a loom op). `calibration` is required.

    #### Output IR
    The same function without the removed sublayers.
  }];
  let options = [
    Option<"metric", "metric", "std::string", /*default=*/"\"cosine\"",
           "how a sublayer is scored: cosine (the only one)">,
    Option<"threshold", "threshold", "double", /*default=*/"2.0",
           "remove every sublayer scoring at least this, in [-1, 1] "
           "(exactly one of threshold and count)">,
    Option<"count", "count", "int64_t", /*default=*/"-1",
           "remove this many sublayers, the highest-scoring ones (exactly "
           "one of threshold and count; 0 removes none)">,
    Option<"granularity", "granularity", "std::string",
           /*default=*/"\"block\"",
           "what is removed: attention, mlp or block (attention then MLP)">,
    Option<"calibration", "calibration", "std::string", /*default=*/"\"\"",
           "directory of .npy model inputs (required; as loom-quantize's)">,
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "entry function (default: the only public one)">,
  ];
  let statistics = [
    Statistic<"numRemoved", "num-removed", "Sublayers removed">,
  ];
}

#endif // LOOM_PRUNING_PASSES_TD
