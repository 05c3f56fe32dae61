//===- LoomTokenOps.td - Token reduction operations -------*- tablegen -*-===//
//
// Token scoring, pruning, ToMe merging and restoring. See TECHNIQUES.md
// section 5 for their semantics and docs/TokenReduction.md for the design.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMTOKENOPS_TD
#define LOOM_IR_LOOMTOKENOPS_TD

include "loom/IR/LoomDialect.td"
include "loom/IR/LoomAttrs.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Loom_TokenScoreMethod : I32EnumAttr<"TokenScoreMethod",
    "how loom.token.score rates tokens", [
      I32EnumAttrCase<"cls_attention", 0>,
      I32EnumAttrCase<"attention_received", 1>,
      I32EnumAttrCase<"l2norm", 2>,
    ]> {
  let cppNamespace = "::mlir::loom";
  let genSpecializedAttr = 0;
}
def Loom_TokenScoreMethodAttr
    : EnumAttr<Loom_Dialect, Loom_TokenScoreMethod, "token_score_method">;

def Loom_TokenScoreOp : Loom_Op<"token.score", [Pure]> {
  let summary = "Per-token importance scores for pruning";
  let description = [{
    Rates every token of every batch; the result is `[B,S]` f32 (computed in
    f32 whatever the input type).

    - `cls_attention` (EViT): `input` is attention probabilities
      `[B,H,Sq,S]` (query rows, key columns); the score of token `j` is the
      attention the class token (query row 0) pays to it, averaged over heads:
      `s[b,j] = (1/H) sum_h p[b,h,0,j]`.
    - `attention_received`: `input` is `[B,H,Sq,S]` as above; the score of
      token `j` is the total attention it receives from all queries, averaged
      over heads: `s[b,j] = (1/H) sum_h sum_i p[b,h,i,j]`.
    - `l2norm`: `input` is hidden states `[B,S,D]`;
      `s[b,i] = sqrt(sum_d x[b,i,d]^2)`.

    ```mlir
    %s = loom.token.score cls_attention %p
        : tensor<2x4x17x17xf32> -> tensor<2x17xf32>
    %n = loom.token.score l2norm %x : tensor<2x17x64xf16> -> tensor<2x17xf32>
    ```
  }];
  let arguments = (ins Loom_TokenScoreMethodAttr:$method,
                       AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$scores);
  let assemblyFormat = [{
    `` $method $input attr-dict `:` type($input) `->` type($scores)
  }];
  let hasVerifier = 1;
}

def Loom_TokenPruneOp : Loom_Op<"token.prune", [Pure]> {
  let summary = "Keeps the top-scoring tokens, in their original order";
  let description = [{
    Keeps `K` of the `S` tokens of `input [B,S,D]` per batch, given
    `scores [B,S]` (any float type, compared in f32):

    - `K` is the `keep` attribute, or `keep_ratio` (in `(0, 1]`) times `S`
      rounded **up**: `K = ceil(keep_ratio * S)`, where a product within
      `1e-3` of an integer counts as that integer (so `0.3` of 10 tokens keeps
      3 despite f32 rounding). Rounding up guarantees `K >= 1`. Exactly one of
      `keep` and `keep_ratio` is given; `1 <= K <= S`.
    - The tokens listed in `pinned` (for example `array<i64: 0>` for the class
      token) are always kept; they must be distinct, in `[0, S)`, and at most
      `K` of them.
    - The remaining `K - |pinned|` slots go to the non-pinned tokens with the
      highest scores; equal scores are broken by the lowest index, and NaN
      scores rank as `-inf`.
    - The kept tokens are returned in their original order: `kept [B,K,D]`
      (input element type) and their indices `indices [B,K]` (i64, strictly
      increasing per batch), ready for `loom.token.restore`.

    ```mlir
    %kept, %idx = loom.token.prune %x, %s {keep_ratio = 0.5 : f32,
        pinned = array<i64: 0>}
        : tensor<2x17x64xf32>, tensor<2x17xf32>
        -> tensor<2x9x64xf32>, tensor<2x9xi64>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       AnyRankedTensor:$scores,
                       OptionalAttr<I64Attr>:$keep,
                       OptionalAttr<F32Attr>:$keep_ratio,
                       OptionalAttr<DenseI64ArrayAttr>:$pinned);
  let results = (outs AnyRankedTensor:$kept, AnyRankedTensor:$indices);
  let assemblyFormat = [{
    $input `,` $scores attr-dict `:` type($input) `,` type($scores)
    `->` type($kept) `,` type($indices)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The number of kept tokens for `numTokens` input tokens (the `keep`
    /// attribute or the rounded-up ratio).
    int64_t getKeepCount(int64_t numTokens);
  }];
}

def Loom_TokenMergeOp : Loom_Op<"token.merge", [Pure, AttrSizedOperandSegments]> {
  let summary = "ToMe bipartite soft matching: merges r token pairs";
  let description = [{
    Token merging (Bolya et al., ToMe) of `input [B,S,D]`, per batch:

    1. Tokens are split alternately: set A holds the even indices
       `0, 2, 4, ...`, set B the odd ones `1, 3, 5, ...`.
    2. Similarity is the cosine of the `keys [B,S,Dk]` if given, else of the
       tokens themselves, computed in f32; a zero vector has similarity 0 to
       everything, and NaN similarities count as `-inf`.
    3. Each A token is matched to its most similar B token (ties: the lowest
       B index). The `r` A tokens with the highest match similarity (ties: the
       lowest A index) are merged into their matched B token; several A tokens
       may merge into one B token.
    4. A merged row is the size-weighted mean of the B token and the A tokens
       merged into it, `sum_i size_i x_i / sum_i size_i`, and its size is
       `sum_i size_i`. `sizes [B,S]` (f32, positive) gives the input sizes;
       absent means all ones. Means are computed in f32.

    Output order: the `S - r` surviving tokens (all of B and the unmerged A
    tokens) keep their original relative order, so row 0 is always token 0
    unless it was merged. Results: `merged [B,S-r,D]` (input element type),
    `merged_sizes [B,S-r]` f32, and `source [B,S] i64`: the output row that
    represents each input token (its own row, or for a merged A token the row
    of its B token). `loom.token.restore %merged source(%source)` copies every
    token back from its representative. Use `merged_sizes` as the `sizes` of
    the next merge, and add `log(size)` to later attention logits.

    `protect_first` keeps token 0 (the class token, in set A) out of the
    merge: it is never merged into a B token, and the `r` merged A tokens are
    chosen among the others (as ToMe's `class_token` option does).

    `1 <= r <= S / 2` (rounded down); with `protect_first` also
    `r <= (S + 1) / 2 - 1` (the A tokens other than token 0).

    ```mlir
    %m, %sz, %src = loom.token.merge %x keys(%k) sizes(%s0) {r = 4, protect_first}
        : (tensor<2x16x64xf32>, tensor<2x16x32xf32>, tensor<2x16xf32>)
        -> (tensor<2x12x64xf32>, tensor<2x12xf32>, tensor<2x16xi64>)
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       Optional<AnyRankedTensor>:$keys,
                       Optional<AnyRankedTensor>:$sizes,
                       I64Attr:$r,
                       UnitAttr:$protect_first);
  let results = (outs AnyRankedTensor:$merged, AnyRankedTensor:$merged_sizes,
                      AnyRankedTensor:$source);
  let assemblyFormat = [{
    $input (`keys` `(` $keys^ `)`)? (`sizes` `(` $sizes^ `)`)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loom_TokenRestoreOp
    : Loom_Op<"token.restore", [Pure, AttrSizedOperandSegments]> {
  let summary = "Scatters reduced tokens back to the full sequence length";
  let description = [{
    Rebuilds `[B,S,D]` (the result type gives `S`) from `input [B,K,D]`, in
    one of two forms:

    - `indices(%idx)` with `idx [B,K]` i64 (from `loom.token.prune`): row
      `idx[b,k]` of the result is row `k` of the input; every other row is
      the corresponding row of `fill [B,S,D]` if given, else zeros. Indices
      outside `[0, S)` are ignored; if an index repeats, the highest `k` wins.
    - `source(%src)` with `src [B,S]` i64 (from `loom.token.merge`, where
      `K = S - r`): row `i` of the result is row `src[b,i]` of the input, so
      merged tokens are copied from their representative. A source outside
      `[0, K)` gives a zero row.

    ```mlir
    %full = loom.token.restore %kept indices(%idx) fill(%x)
        : (tensor<2x9x64xf32>, tensor<2x9xi64>, tensor<2x17x64xf32>)
        -> tensor<2x17x64xf32>
    %full2 = loom.token.restore %m source(%src)
        : (tensor<2x12x64xf32>, tensor<2x16xi64>) -> tensor<2x16x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       Optional<AnyRankedTensor>:$indices,
                       Optional<AnyRankedTensor>:$fill,
                       Optional<AnyRankedTensor>:$source);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input (`indices` `(` $indices^ `)`)? (`fill` `(` $fill^ `)`)?
    (`source` `(` $source^ `)`)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // LOOM_IR_LOOMTOKENOPS_TD
