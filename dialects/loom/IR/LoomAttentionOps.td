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

#endif // LOOM_IR_LOOMATTENTIONOPS_TD
