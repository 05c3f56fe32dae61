//===- LoomKVOps.td - KV cache operations -------------------*- tablegen -*-===//
//
// KV cache operations. See TECHNIQUES.md section 2 for the semantics and
// docs/KVCache.md for the design. A cache is an SSA value of type
// `!loom.kv_cache`: every op that changes it returns a new cache.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMKVOPS_TD
#define LOOM_IR_LOOMKVOPS_TD

include "loom/IR/LoomDialect.td"
include "loom/IR/LoomAttrs.td"
include "loom/IR/LoomTypes.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Loom_KVOp<string mnemonic, list<Trait> traits = []>
    : Loom_Op<"kv." # mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Creation and append
//===----------------------------------------------------------------------===//

def Loom_KVInitOp : Loom_KVOp<"init", [Pure]> {
  let summary = "An empty KV cache";
  let description = [{
    Creates a cache of the result type with length 0 for every sequence and no
    token appended yet (the next token's position is 0).

    ```mlir
    %cache = loom.kv.init : !loom.kv_cache<1x2x128x16xf32>
    ```
  }];
  let results = (outs Loom_KVCacheType:$result);
  let assemblyFormat = "attr-dict `:` qualified(type($result))";
}

def Loom_KVAppendOp : Loom_KVOp<"append",
    [AllTypesMatch<["cache", "result"]>]> {
  let summary = "Appends T new keys and values to every sequence of a cache";
  let description = [{
    Writes `key [B,H,T,D]` and `value [B,H,T,Dv]` at entries
    `length[b] .. length[b] + T - 1` of each sequence `b`, records their original
    positions `next[b] + t`, and advances both `length` and `next` by `T`.

    Appending past the capacity is a run-time error: when `length[b] + T > C` for
    any sequence, nothing is written, the result is the unchanged cache and
    `loom_runtime_error(1)` (see `loom/Runtime/RuntimeErrors.h`) reports the
    error to the host. The op is therefore not `Pure`: an unused append still
    performs its capacity check.

    On a quantized cache the new entries join the full-precision residual; every
    group of `group` tokens that falls entirely before the last `residual`
    tokens is quantized (see `loom.kv.quantize`).

    ```mlir
    %c1 = loom.kv.append %c0, %k, %v
        : !loom.kv_cache<1x2x128x16xf32>, tensor<1x2x4x16xf32>, tensor<1x2x4x16xf32>
    ```
  }];
  let arguments = (ins Loom_KVCacheType:$cache, AnyRankedTensor:$key,
                       AnyRankedTensor:$value);
  let results = (outs Loom_KVCacheType:$result);
  let assemblyFormat = [{
    $cache `,` $key `,` $value attr-dict `:` qualified(type($cache)) `,`
    type($key) `,` type($value)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Accessors
//===----------------------------------------------------------------------===//

class Loom_KVAccessorOp<string mnemonic, string what, string example>
    : Loom_KVOp<mnemonic, [Pure]> {
  let summary = "The " # what # " of a KV cache";
  let arguments = (ins Loom_KVCacheType:$cache);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$cache attr-dict `:` qualified(type($cache)) `->` type($result)";
  let hasVerifier = 1;
  let description = [{
    Returns the full-capacity storage; entries at or beyond a sequence's length
    are zeroed (positions: -1) so that the result is deterministic whatever the
    cache held before. For a quantized cache the values returned are the
    dequantized ones.
  }] # example;
}

def Loom_KVKeysOp : Loom_KVAccessorOp<"keys", "keys `[B,H,C,D]`", [{

    ```mlir
    %k = loom.kv.keys %cache
        : !loom.kv_cache<1x2x128x16xf32> -> tensor<1x2x128x16xf32>
    ```
  }]>;

def Loom_KVValuesOp : Loom_KVAccessorOp<"values", "values `[B,H,C,Dv]`", [{

    ```mlir
    %v = loom.kv.values %cache
        : !loom.kv_cache<1x2x128x16xf32, value_dim = 8> -> tensor<1x2x128x8xf32>
    ```
  }]>;

def Loom_KVPositionsOp : Loom_KVAccessorOp<"positions",
    "original positions `[B,H,C]` (i64) of the kept entries", [{

    ```mlir
    %p = loom.kv.positions %cache
        : !loom.kv_cache<1x2x128x16xf32> -> tensor<1x2x128xi64>
    ```
  }]>;

def Loom_KVLengthOp : Loom_KVAccessorOp<"length",
    "number of valid entries `[B]` (i64) per sequence", ""> {
  let description = [{
    Returns, per sequence, the number of valid entries (after eviction or
    merging this is smaller than the number of tokens appended).

    ```mlir
    %n = loom.kv.length %cache : !loom.kv_cache<1x2x128x16xf32> -> tensor<1xi64>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Compression
//===----------------------------------------------------------------------===//

def Loom_KVEvictOp : Loom_KVOp<"evict",
    [Pure, AllTypesMatch<["cache", "result"]>]> {
  let summary = "Evicts entries down to a budget (StreamingLLM, H2O, SnapKV)";
  let description = [{
    Keeps at most `budget` entries per sequence and head; kept entries stay in
    their original order (they are compacted to the front of the storage) and
    keep their original positions, so attention still masks them correctly.
    The budget is either a count (`budget = K`) or a fraction of each
    sequence's current length (`budget_fraction = f`: `K = floor(f * length)`).
    A sequence with `length <= K` is left unchanged; otherwise exactly `K`
    entries are kept per head. Ties between equal scores go to the lowest index.

    - `window_sinks` (StreamingLLM): the first `sinks` entries and the last
      `K - sinks`.
    - `h2o` (heavy hitters): the last `recent` entries plus the `K - recent`
      entries with the largest score among the others. `scores [B,H,C]` (f32)
      is the accumulated attention probability, e.g. the `key_scores` result of
      `loom.attention` reading this cache.
    - `snapkv` (observation window): the last `window` entries (the observation
      window) plus the `K - window` prefix entries with the largest pooled
      score, where `scores` is the attention the window's queries paid to each
      key (summed over those queries) and pooling takes the maximum over the
      `kernel` neighbours centred on each prefix entry (clipped to the prefix).

    `sinks`, `recent` and `window` are clipped to `K` when a fraction is used.
    Quantized caches cannot be evicted (their groups would be split): dequantize
    first.

    With a scores operand the op may return `kept_scores [B,H,C]` (f32): the
    operand's scores compacted like the entries, aligned with the result cache
    (entry `j` of the result has score `kept_scores[j]`, zero from the new
    length on). H2O accumulates attention over the whole decode: add the
    `key_scores` of later `loom.attention` calls on the result to
    `kept_scores` and pass the sum to the next eviction.

    ```mlir
    %a = loom.kv.evict window_sinks %c {budget = 64, sinks = 4}
        : !loom.kv_cache<1x2x128x16xf32>
    %b = loom.kv.evict h2o %c scores(%s : tensor<1x2x128xf32>)
        {budget_fraction = 0.5 : f32, recent = 8} : !loom.kv_cache<1x2x128x16xf32>
    %d = loom.kv.evict snapkv %c scores(%s : tensor<1x2x128xf32>)
        {budget = 32, window = 8, kernel = 5} : !loom.kv_cache<1x2x128x16xf32>
    %e, %kept = loom.kv.evict h2o %c scores(%s : tensor<1x2x128xf32>)
        {budget = 64, recent = 8}
        : !loom.kv_cache<1x2x128x16xf32>, tensor<1x2x128xf32>
    ```
  }];
  let arguments = (ins Loom_KVCacheType:$cache,
                       Loom_EvictionPolicyAttr:$policy,
                       Optional<AnyRankedTensor>:$scores,
                       OptionalAttr<I64Attr>:$budget,
                       OptionalAttr<F32Attr>:$budget_fraction,
                       OptionalAttr<I64Attr>:$sinks,
                       OptionalAttr<I64Attr>:$recent,
                       OptionalAttr<I64Attr>:$window,
                       OptionalAttr<I64Attr>:$kernel);
  let results = (outs Loom_KVCacheType:$result,
                  Optional<AnyRankedTensor>:$kept_scores);
  let assemblyFormat = [{
    `` $policy $cache (`scores` `(` $scores^ `:` type($scores) `)`)? attr-dict
    `:` qualified(type($cache)) (`,` type($kept_scores)^)?
  }];
  let hasVerifier = 1;
}

def Loom_KVMergeOp : Loom_KVOp<"merge",
    [Pure, AllTypesMatch<["cache", "result"]>]> {
  let summary = "Merges evicted entries into similar kept ones (KVMerger)";
  let description = [{
    Reduces each sequence to `K = min(length, budget)` entries per head
    (`budget` a count or `budget_fraction` of the length, as in `loom.kv.evict`),
    merging instead of dropping:

    1. The last `recent` entries are kept as they are. The other entries form
       the evictable region; the `K - recent` entries with the largest score in
       it are kept (the H2O choice, ties to the lowest index) and become pivots.
    2. Each pivot `p` grows a merging set of consecutive non-kept keys, first to
       the right then to the left, while the cosine similarity of each key to
       `k_p` is at least `threshold`. A key claimed by the right-growing set of
       the pivot before it is not claimed again. Since pivots have the largest
       scores, `p` is the key with the largest accumulated attention of its set.
       Keys in no set are evicted.
    3. Each set becomes one entry at the pivot's position:
       `w_j = exp(-||k_j - k_p||^2 / (2 sigma^2))`, and the merged key and value
       are the `w`-weighted means of the set's keys and values.

    A sequence with `length <= K` is left unchanged. Quantized caches cannot be
    merged: dequantize first.

    The optional result `kept_scores [B,H,C]` (f32) carries the scores with the
    cache, aligned with the result's entries: a merged entry's score is the sum
    of the scores of its set (the attention its tokens accumulated), zero from
    the new length on.

    ```mlir
    %m = loom.kv.merge %c scores(%s : tensor<1x2x128xf32>)
        {budget = 64, recent = 8, threshold = 0.8 : f32, sigma = 1.0 : f32}
        : !loom.kv_cache<1x2x128x16xf32>
    ```
  }];
  let arguments = (ins Loom_KVCacheType:$cache, AnyRankedTensor:$scores,
                       OptionalAttr<I64Attr>:$budget,
                       OptionalAttr<F32Attr>:$budget_fraction,
                       DefaultValuedAttr<I64Attr, "0">:$recent,
                       F32Attr:$threshold,
                       F32Attr:$sigma);
  let results = (outs Loom_KVCacheType:$result,
                  Optional<AnyRankedTensor>:$kept_scores);
  let assemblyFormat = [{
    $cache `scores` `(` $scores `:` type($scores) `)` attr-dict `:`
    qualified(type($cache)) (`,` type($kept_scores)^)?
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Loom_KVQuantizeOp : Loom_KVOp<"quantize", [Pure]> {
  let summary = "Converts a cache to quantized storage (KIVI-style)";
  let description = [{
    The result type carries `quant = <bits = b, group = g, residual = r>`; the
    other parameters must match the operand's. Asymmetric integer quantization
    with an f32 scale and zero point: for a group with minimum `lo` and maximum
    `hi`, `scale = (hi - lo) / (2^b - 1)`, `q = clamp(round((x - lo) / scale),
    0, 2^b - 1)` and the stored value reads back as `q * scale + lo` (the error
    is at most `scale / 2`).

    - Keys are quantized per channel: a group is `g` consecutive tokens of one
      channel.
    - Values are quantized per token: a group is `g` consecutive channels of
      one token.
    - With `length` valid entries, the tokens of the first
      `floor((length - r) / g)` token groups (if `length > r`) are quantized,
      keys and values alike; the rest (at least the last `r` tokens) stay in
      full precision until a later `loom.kv.append` fills their group.

    ```mlir
    %q = loom.kv.quantize %c : !loom.kv_cache<1x2x128x16xf32>
        -> !loom.kv_cache<1x2x128x16xf32, quant = <bits = 4, group = 16, residual = 16>>
    ```
  }];
  let arguments = (ins Loom_KVCacheType:$cache);
  let results = (outs Loom_KVCacheType:$result);
  let assemblyFormat = [{
    $cache attr-dict `:` qualified(type($cache)) `->` qualified(type($result))
  }];
  let hasVerifier = 1;
}

def Loom_KVDequantizeOp : Loom_KVOp<"dequantize", [Pure]> {
  let summary = "Converts a quantized cache back to full-precision storage";
  let description = [{
    Every entry reads as its dequantized value (`q * scale + zero` for
    quantized groups, the stored value for the residual). The result type is the
    operand's without `quant`.

    ```mlir
    %d = loom.kv.dequantize %q
        : !loom.kv_cache<1x2x128x16xf32, quant = <bits = 4, group = 16, residual = 16>>
        -> !loom.kv_cache<1x2x128x16xf32>
    ```
  }];
  let arguments = (ins Loom_KVCacheType:$cache);
  let results = (outs Loom_KVCacheType:$result);
  let assemblyFormat = [{
    $cache attr-dict `:` qualified(type($cache)) `->` qualified(type($result))
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Capacity
//===----------------------------------------------------------------------===//

def Loom_KVResizeOp : Loom_KVOp<"resize", [Pure]> {
  let summary = "Moves a cache's entries into a cache of another capacity";
  let description = [{
    The result type is the operand's with another capacity `C'`: the valid
    entries (with their positions), `length` and `next` are unchanged; storage
    beyond the length reads as in a fresh cache. This is how a compressed cache
    gives memory back: after an eviction to `K` entries, a resize to `K + n`
    holds exactly the budget plus room for `n` appends (`loom-kv-compress`
    emits that pair).

    Shrinking below a sequence's length would drop valid entries: it is a
    run-time error (`loom_runtime_error(4)`, the result is then an empty cache),
    never a silent truncation. Quantized caches cannot be resized (their
    groups are laid out for the capacity): resize before quantizing.

    ```mlir
    %small = loom.kv.resize %c
        : !loom.kv_cache<1x2x128x16xf32> -> !loom.kv_cache<1x2x33x16xf32>
    ```
  }];
  let arguments = (ins Loom_KVCacheType:$cache);
  let results = (outs Loom_KVCacheType:$result);
  let assemblyFormat = [{
    $cache attr-dict `:` qualified(type($cache)) `->` qualified(type($result))
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Low-rank projection (MatryoshkaKV)
//===----------------------------------------------------------------------===//

def Loom_KVProjectOp : Loom_KVOp<"project", [Pure]> {
  let summary = "Projects keys, values or queries onto per-head low-rank bases";
  let description = [{
    MatryoshkaKV-style low-rank KV: `basis [H,D,r]` holds, for each key/value
    head, a `[D, r]` projection whose columns are meant to be orthonormal
    (`basis[h]^T basis[h] = I`; fitting them, e.g. by PCA of calibration keys
    and values, is left to a separate pass). `x [B,Hx,T,X]` has `Hx` a
    multiple of `H`; head `i` of `x` uses `basis[i / (Hx / H)]`, so query heads
    of a GQA group share their key/value head's basis.

    - Projecting (default): `X = D`, `result[b,i,t] = x[b,i,t] @ basis[h]`, of
      shape `[B,Hx,T,r]`.
    - `reconstruct`: `X = r`, `result[b,i,t] = x[b,i,t] @ basis[h]^T`, of shape
      `[B,Hx,T,D]`.

    Attention in the reduced space: project keys (and the queries, with the
    key basis) and values before caching them in a cache of head dim `r`,
    attend with the full-dimension scale (`scale = 1/sqrt(D)`), and
    reconstruct the output with the value basis. With orthonormal bases this
    equals attention over the reconstructed keys `P P^T k` and values
    `P P^T v`, exactly when they lie in the span.

    ```mlir
    %kr = loom.kv.project %k, %pk
        : tensor<1x2x12x16xf32>, tensor<2x16x4xf32> -> tensor<1x2x12x4xf32>
    %o = loom.kv.project %or, %pv {reconstruct}
        : tensor<1x4x1x4xf32>, tensor<2x16x4xf32> -> tensor<1x4x1x16xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$basis,
                       UnitAttr:$reconstruct);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $basis attr-dict `:` type($input) `,` type($basis) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

#endif // LOOM_IR_LOOMKVOPS_TD
