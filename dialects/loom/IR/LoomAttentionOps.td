//===- LoomAttentionOps.td - attention variants -------------*- tablegen -*-===//
//
// Attention operations. See TECHNIQUES.md section 1 for their exact semantics and
// docs/Attention.md for the design.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMATTENTIONOPS_TD
#define LOOM_IR_LOOMATTENTIONOPS_TD

include "loom/IR/LoomDialect.td"
include "loom/IR/LoomTypes.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Loom_AttentionOp : Loom_Op<"attention", [Pure, AttrSizedOperandSegments]> {
  let summary = "Softmax attention with GQA/MQA, causal, sliding-window and sinks";
  let description = [{
    Computes `out = softmax(scale * q k^T + mask) v` per batch and query head.

    - `query` is `[B,Hq,Sq,D]`; keys and values come either from tensors
      `key [B,Hkv,Skv,D]` and `value [B,Hkv,Skv,Dv]`, or from a `!loom.kv_cache`
      passed as the second operand (its first `length` entries are the keys).
      `Hq` must be a multiple of `Hkv`; query head `h` reads kv head
      `h / (Hq / Hkv)` (MHA, GQA and MQA by head counts). The result is
      `[B,Hq,Sq,Dv]`.
    - `scale` defaults to `1/sqrt(D)`. Softmax is computed in f32.
    - Query `i` has absolute position `Skv - Sq + i` (for a cache: the number of
      tokens appended so far, minus `Sq`, plus `i`), so one op covers prefill and
      decode. With `causal`, key `j` (at absolute position `p_j`) is visible iff
      `p_j <= pos(i)`; `window = W` additionally requires `p_j > pos(i) - W`;
      `sinks = s` keeps keys with `p_j < s` visible regardless of the window.
    - `mask`, if present, is added to the scores and broadcasts to
      `[B,Hq,Sq,Skv]` (each dimension 1 or equal).
    - `hamming` replaces `q k^T` by the Hamming score of the sign-binarised
      vectors: with bits `x >= 0`, `score = 2 * popcount(xnor(q, k)) - D`, i.e.
      `sign(q) . sign(k)`, then scaled as usual.
    - A row with no visible key yields zeros, never NaN.
    - The optional second result `[B,Hkv,Skv]` (f32) is the accumulated
      attention probability each key received, summed over the query heads of its
      group and over the queries (the signal of H2O/SnapKV eviction).

    ```mlir
    // GQA 8:2, causal prefill.
    %o = loom.attention %q, %k, %v {causal}
        : (tensor<1x8x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>)
        -> tensor<1x8x64x16xf32>
    // Decode from a cache with a sliding window and 4 sinks, also returning scores.
    %o2, %s = loom.attention %q1, %cache {causal, window = 128, sinks = 4}
        : (tensor<1x8x1x16xf32>, !loom.kv_cache<1x2x512x16xf32>)
        -> (tensor<1x8x1x16xf32>, tensor<1x2x512xf32>)
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$query,
    AnyTypeOf<[AnyRankedTensor, Loom_KVCacheType]>:$key,
    Optional<AnyRankedTensor>:$value,
    Optional<AnyRankedTensor>:$mask,
    OptionalAttr<F32Attr>:$scale,
    UnitAttr:$causal,
    OptionalAttr<I64Attr>:$window,
    OptionalAttr<I64Attr>:$sinks,
    UnitAttr:$hamming
  );
  let results = (outs AnyRankedTensor:$output,
                      Optional<AnyRankedTensor>:$key_scores);
  let assemblyFormat = [{
    $query `,` $key (`,` $value^)? (`mask` `(` $mask^ `)`)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// True when keys and values come from a KV cache.
    bool readsCache();
    /// The cache type when `readsCache()`, null otherwise.
    ::mlir::loom::KVCacheType getCacheType();
    /// The effective softmax scale (the attribute, or 1/sqrt(D)).
    float getEffectiveScale();
    /// Number of key/value heads.
    int64_t getNumKVHeads();
  }];
}

def Loom_LinearAttentionOp : Loom_Op<"linear_attention", [Pure]> {
  let summary = "Kernelised linear attention with an optional carried state";
  let description = [{
    Linear attention (Katharopoulos et al.) with feature map `phi` applied to the
    queries and keys:

    - `query` is `[B,H,S,D]`, `key` is `[B,H,Skv,D]`, `value` is `[B,H,Skv,Dv]`;
      the result is `[B,H,S,Dv]` of the query element type. Everything is
      computed in f32.
    - Non-causal:
      `out_i = phi(q_i) (S_in + sum_j phi(k_j)^T v_j) /
               (phi(q_i) . (z_in + sum_j phi(k_j)) + eps)`.
    - `causal` (requires `Skv == S`): the sums run over `j <= i`, i.e. token `i`
      sees the carried state plus the tokens of this call up to itself.
    - `state(%S_in, %z_in)` optionally passes the state carried from earlier
      tokens: `S_in [B,H,D,Dv]` and normaliser `z_in [B,H,D]`, both f32 (absent
      means zeros). When given, the op has two more results, `S_out` and `z_out`
      (same types): the state after all tokens of this call,
      `S_out = S_in + sum_j phi(k_j)^T v_j`, `z_out = z_in + sum_j phi(k_j)`.
      A decode step is the causal op with `S = 1`; a multi-token verify step
      (speculative decoding) or one chunk of a chunked prefill is the causal op
      with `S > 1`; chaining calls through the state gives the same numbers as
      one causal call over all tokens.
    - `feature_map(...)` is `elu_plus_one` (`elu(x) + 1`, the default, not
      printed), `relu` or `identity`.
    - `eps` (default `1e-6`, must be positive) keeps the division defined when
      the normaliser is zero.

    ```mlir
    // Causal prefill.
    %o = loom.linear_attention %q, %k, %v {causal}
        : (tensor<1x4x64x16xf32>, tensor<1x4x64x16xf32>, tensor<1x4x64x16xf32>)
        -> tensor<1x4x64x16xf32>
    // One decode step continuing from a carried state.
    %o1, %s1, %z1 = loom.linear_attention %q1, %k1, %v1 state(%s0, %z0)
        feature_map(relu) {causal, eps = 1.0e-5 : f32}
        : (tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>,
           tensor<1x4x16x16xf32>, tensor<1x4x16xf32>)
        -> (tensor<1x4x1x16xf32>, tensor<1x4x16x16xf32>, tensor<1x4x16xf32>)
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$query,
    AnyRankedTensor:$key,
    AnyRankedTensor:$value,
    Variadic<AnyRankedTensor>:$initial_state,
    DefaultValuedAttr<Loom_FeatureMapAttr, "::mlir::loom::FeatureMap::elu_plus_one">:$feature_map,
    UnitAttr:$causal,
    DefaultValuedAttr<F32Attr, "1.0e-6">:$eps
  );
  let results = (outs AnyRankedTensor:$output,
                      Variadic<AnyRankedTensor>:$final_state);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`state` `(` $initial_state^ `)`)?
    custom<FeatureMap>($feature_map) attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// True when a state is carried in (and out).
    bool hasState() { return !getInitialState().empty(); }
    /// The carried-in state matrix S [B,H,D,Dv], null without state.
    ::mlir::Value getStateIn() {
      return hasState() ? getInitialState()[0] : ::mlir::Value();
    }
    /// The carried-in normaliser z [B,H,D], null without state.
    ::mlir::Value getNormalizerIn() {
      return hasState() ? getInitialState()[1] : ::mlir::Value();
    }
    // `custom<FeatureMap>`: members so that the generated parser and printer
    // find them without a declaration in a shared header.
    static ::mlir::ParseResult parseFeatureMap(::mlir::OpAsmParser &parser,
                                               FeatureMapAttr &attr);
    static void printFeatureMap(::mlir::OpAsmPrinter &printer,
                                LinearAttentionOp op, FeatureMapAttr attr);
  }];
}

def Loom_BlockSparseAttentionOp
    : Loom_Op<"block_sparse_attention", [Pure]> {
  let summary = "Softmax attention restricted to a static, top-k or threshold block pattern";
  let description = [{
    Softmax attention (as `loom.attention`) where query block `qb` (rows
    `[qb*block_q, (qb+1)*block_q)`) only sees the keys of the key blocks
    (columns `[kb*block_k, (kb+1)*block_k)`) selected for it.

    - `query [B,Hq,Sq,D]`, `key [B,Hkv,Skv,D]`, `value [B,Hkv,Skv,Dv]`, result
      `[B,Hq,Sq,Dv]`; `Hq` a multiple of `Hkv` (GQA/MQA as in `loom.attention`).
      `block_q` must divide `Sq` and `block_k` must divide `Skv`.
    - `scale` defaults to `1/sqrt(D)`; softmax is computed in f32.
    - `causal`: query `i` has position `Skv - Sq + i` and sees key `j` only if
      `j <= Skv - Sq + i` (within the selected blocks).
    - Exactly one of:
      - `block_mask`: a static `dense<...> : tensor<NQxNKxi1>` with
        `NQ = Sq/block_q`, `NK = Skv/block_k`; `true` marks a visible block,
        the same for every batch and head.
      - `top_k = n` (mixture-of-block attention): per batch and query head, each
        query block and each key block (of the head's kv head) is mean-pooled;
        the score of a block pair is the dot product of the pooled vectors.
        The query block's own key block, the one holding the position of its
        last query, `(Skv - Sq + (qb+1)*block_q - 1) / block_k`, is always
        kept and counts as one of the `n`; the other `n - 1` are the
        highest-scoring remaining key blocks (ties: lowest block index). With
        `causal`, key blocks starting after the query block's last position are
        not candidates. `1 <= n <= NK`.
      - `threshold = t` (MoBA-style cumulative selection, `0 < t <= 1`): the
        same pooled block scores, multiplied by the scale, become a softmax
        `p` over the candidate key blocks of the query block (the own block is
        always a candidate). The own block is kept first and its mass counts;
        the other candidates follow in descending scaled score (ties: lowest
        block index), and a candidate is kept iff the mass of the blocks
        before it (own block plus the higher-ranked candidates) is still
        below `t`. So the kept blocks are the fewest, in that order, whose
        mass reaches `t`; `t = 1` keeps every candidate whose predecessors'
        mass is below 1 (in exact arithmetic: all of them).
    - A row with no visible key yields zeros, never NaN.

    ```mlir
    // Static pattern: block-diagonal plus the first key block.
    %o = loom.block_sparse_attention %q, %k, %v {block_q = 16, block_k = 16,
        block_mask = dense<[[true, false], [true, true]]> : tensor<2x2xi1>}
        : (tensor<1x4x32x16xf32>, tensor<1x4x32x16xf32>, tensor<1x4x32x16xf32>)
        -> tensor<1x4x32x16xf32>
    // Cumulative-threshold selection: blocks until 90% of the softmax mass.
    %o3 = loom.block_sparse_attention %q, %k, %v
        {block_q = 16, block_k = 16, threshold = 0.9 : f32}
        : (tensor<1x4x32x16xf32>, tensor<1x4x32x16xf32>, tensor<1x4x32x16xf32>)
        -> tensor<1x4x32x16xf32>
    // Dynamic top-2 selection, causal, GQA 4:1.
    %o2 = loom.block_sparse_attention %q, %k1, %v1
        {block_q = 16, block_k = 16, top_k = 2, causal}
        : (tensor<1x4x64x16xf32>, tensor<1x1x64x16xf32>, tensor<1x1x64x16xf32>)
        -> tensor<1x4x64x16xf32>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$query,
    AnyRankedTensor:$key,
    AnyRankedTensor:$value,
    I64Attr:$block_q,
    I64Attr:$block_k,
    OptionalAttr<AnyIntElementsAttr>:$block_mask,
    OptionalAttr<I64Attr>:$top_k,
    OptionalAttr<F32Attr>:$threshold,
    OptionalAttr<F32Attr>:$scale,
    UnitAttr:$causal
  );
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $query `,` $key `,` $value attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The effective softmax scale (the attribute, or 1/sqrt(D)).
    float getEffectiveScale();
  }];
}

def Loom_AngularAttentionOp : Loom_Op<"angular_attention", [Pure]> {
  let summary = "Castling-ViT linear-angular attention with a depthwise-conv branch";
  let description = [{
    The linear term of the angular kernel `sim(q, k) = 1 - angle(q, k) / pi`
    (Castling-ViT): with `q^ = q / max(||q||, eps)` and `k^ = k / max(||k||,
    eps)` (L2 norm over the head dim), the attention weight of query `i` on
    key `j` is `w_ij = 1/2 + (q^_i . k^_j) / pi` (always in
    `[1/2 - 1/pi, 1/2 + 1/pi]`, so positive), and

      `out_i = sum_j w_ij v_j / sum_j w_ij  (+ conv_i)`

    which is linear attention with the feature map
    `phi(x) = [1/sqrt(2), x^ / sqrt(pi)]`: non-causal it is
    `(1/2 sum_j v_j + q^_i (K^T V) / pi) / (Skv/2 + q^_i . sum_j k^_j / pi)`.

    - `query [B,Hq,Sq,D]`, `key [B,Hkv,Skv,D]`, `value [B,Hkv,Skv,Dv]`,
      result `[B,Hq,Sq,Dv]` of the query element type; `Hq` a multiple of
      `Hkv` (query head `h` reads kv head `h / (Hq / Hkv)`). f32 compute.
    - `causal` (requires `Sq == Skv`): the sums run over `j <= i`.
    - `eps` (default `1e-12`, as torch.nn.functional.normalize; must be
      positive) bounds the norms away from zero: a zero query or key has
      `q^ = 0`, i.e. weight 1/2 on every key. There is no eps in the
      division: the denominator is at least `(1/2 - 1/pi) * (visible keys)`.
    - `local(%w)`: the depthwise convolution branch on the values, added to
      the attention output: `w [Hkv,K]` (`K` odd, the value element type),
      one kernel per kv head shared by its `Dv` channels, over the token axis
      with 'same' zero padding (`K/2` each side, cross-correlation as in
      PyTorch): `conv_i[c] = sum_t w[h, t] * v[i + t - K/2, c]` for the kv
      head of the query head. As in the Castling-ViT reference code
      (`Conv2d(heads, heads, (K, 1), groups=heads)` over `[B,H,N,Dh]`), the
      token axis is the flattened sequence (class token included), not the
      2-D patch grid. Requires `Sq == Skv`; not allowed with `causal` (the
      'same' padding reads future tokens).

    ```mlir
    %o = loom.angular_attention %q, %k, %v local(%w)
        : (tensor<1x4x197x16xf32>, tensor<1x4x197x16xf32>,
           tensor<1x4x197x16xf32>, tensor<4x9xf32>) -> tensor<1x4x197x16xf32>
    %c = loom.angular_attention %q, %k1, %v1 {causal}
        : (tensor<1x4x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>)
        -> tensor<1x4x64x16xf32>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$query,
    AnyRankedTensor:$key,
    AnyRankedTensor:$value,
    Optional<AnyRankedTensor>:$conv_weight,
    UnitAttr:$causal,
    DefaultValuedAttr<F32Attr, "1.0e-12">:$eps
  );
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`local` `(` $conv_weight^ `)`)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // LOOM_IR_LOOMATTENTIONOPS_TD
