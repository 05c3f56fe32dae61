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

def LoomSkipTokens : Pass<"loom-skip-tokens", "::mlir::ModuleOp"> {
  let summary = "Mixture-of-depths at inference: low-scoring tokens skip "
                "chosen transformer blocks";
  let description = [{
    Finds the transformer blocks of the entry function as loom-skip-layers
    does (an attention sublayer followed by its MLP sublayer). For each
    chosen block with input `x [B,S,D]` (f32) a linear router
    `score_t = w . x_t + b` ranks the tokens; the `K = ceil(capacity * S)`
    best (and the `pinned` ones) go through the block, re-typed to `K`
    tokens (attention among the kept tokens only, causal order preserved),
    and are scattered back with `loom.token.restore indices(..) fill(x)`:
    the other tokens pass through the residual path unchanged.

    The models carry no trained router, so it is fitted on the calibration
    inputs: the unmodified model runs on them (CPU JIT) with the blocks'
    inputs and outputs tapped, and `w, b` are the least-squares fit (a
    1e-9 relative ridge keeps the normal equations regular) of the norm of
    the block's residual update `||y_t - x_t||` from `x_t` over every
    calibration token. In the IR the score is a `linalg.generic`
    contraction of `x` with the constant `w` (initialised with `b`) feeding
    `loom.token.prune {keep = K}`.

    A remark per block gives the router's R^2 on the calibration tokens and
    the fraction of the update norm the kept tokens carry there; the
    function gets an attribute `loom.skip_tokens` with, per block, the
    router weights and bias (as the f32 constants hold them), `K`, the
    pinned tokens, R^2 and that fraction. A block whose `K` is `S` is left
    unchanged (still reported).

    #### Input invariant
    A module whose entry function is on static tensors after raising; each
    chosen block's ops are reached only from its input (no value computed
    from the block input is used after the block), and its token axis
    propagates as docs/TokenReduction.md describes. A constant carrying the
    token axis into a block (Llama's rotary cos/sin tables) is gathered at
    the kept tokens (batch 1 only); a value computed on all tokens before
    the block and read inside it is unsupported.

    #### Output IR
    The router, `loom.token.prune`, the block at `K` tokens and
    `loom.token.restore` per rewritten block (and the gathers of the
    constants above).
  }];
  let options = [
    Option<"capacity", "capacity", "double", /*default=*/"-1.0",
           "fraction of the tokens that go through each chosen block, in "
           "(0, 1] (required)">,
    ListOption<"blocks", "blocks", "int64_t",
               "the blocks to route, 0-based in loom.attention order "
               "(default: every other block starting at 1)">,
    ListOption<"pinned", "pinned", "int64_t",
               "tokens that always go through (default: 0 when the block's "
               "attention is not causal, none when it is)">,
    Option<"calibration", "calibration", "std::string", /*default=*/"\"\"",
           "directory of .npy model inputs (required; as loom-quantize's)">,
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "entry function (default: the only public one)">,
  ];
  let statistics = [
    Statistic<"numRouted", "num-routed", "Blocks routed">,
  ];
}

#endif // LOOM_PRUNING_PASSES_TD
