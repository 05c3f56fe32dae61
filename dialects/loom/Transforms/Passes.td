//===- Passes.td - loom dialect transformations -------------*- tablegen -*-===//

#ifndef LOOM_TRANSFORMS_PASSES_TD
#define LOOM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LoomDecomposeMoE : Pass<"loom-decompose-moe"> {
  let summary = "Split loom.moe.ffn into router logits, route, dispatch, experts "
                "and combine";
  let description = [{
    Rewrites every `loom.moe.ffn` into its steps, so each can be inspected,
    transformed or given a specialised lowering:

    ```
    logits = linalg.matmul x, router_weight           // [T,E], f32
    weights, indices, dropped = loom.moe.route logits
    rows, perm, offsets, counts = loom.moe.dispatch x, indices
    y = loom.moe.experts rows, offsets, counts weights(w1, w2[, w3])
    out = loom.moe.combine y, perm, weights
    ```

    The reference lowering (`convert-loom-to-linalg`) uses the same
    decomposition, so the pass never changes numbers.

    #### Input invariant
    Verifier-valid IR; `loom.moe.ffn` with static shapes (others are left
    alone).

    #### Output IR
    No `loom.moe.ffn` with static shapes remains; the routing attributes go to
    `loom.moe.route`, the expert attributes and weights to `loom.moe.experts`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
  let statistics = [
    Statistic<"numDecomposed", "num-decomposed",
              "Number of loom.moe.ffn layers decomposed">,
  ];
}

def LoomDecomposeAggregateOps
    : Pass<"loom-decompose-aggregate-ops", "::mlir::func::FuncOp"> {
  let summary = "Decompose linalg aggregate ops (linalg.softmax) into generics";
  let description = [{
    Rewrites every op implementing `linalg::AggregatedOpInterface` (today:
    `linalg.softmax`, which the ONNX importer emits for Softmax) into its
    `linalg.generic` chain on tensors. `convert-linalg-to-loops` cannot lower
    aggregate ops, and upstream offers this decomposition only as a
    transform-dialect op.

    #### Input invariant
    Any function on tensors.

    #### Output IR
    No aggregate linalg op remains; an op that cannot be decomposed is an error
    at its location.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def LoomNarrowFloatStorage : Pass<"loom-narrow-float-storage", "::mlir::func::FuncOp"> {
  let summary = "Store f32 tensors in f16 or bf16, computing and accumulating in f32";
  let description = [{
    Half-precision storage for an f32 model (`loomc --target=cuda
    --dtype=f16|bf16`): the tensors a model reads and writes between its
    loops take half the memory and bandwidth, the arithmetic stays f32.

    - Dense f32 constants (the weights) are converted at compile time
      (round to nearest even) when every reader tolerates it (below).
    - A `linalg.generic` without reduction loops whose init is a fresh
      `tensor.empty` writes narrowed results: its body computes in f32 and
      truncates before the yield.
    - Reductions keep f32 results: every accumulator (matmul and attention
      dot products, softmax's maximum and sum, the norms' sums) is f32.
    - Readers widen: a narrowed input of a generic is extended at the top of
      its body, a `tensor.extract` (a gather) right after it;
      `tensor.expand_shape`/`collapse_shape`/`extract_slice` follow their
      source.
    - A value stays f32 when any reader would need it so: the function's
      results (inputs and outputs of the model stay f32), inits of other
      ops, concatenations and other ops.

    #### Input invariant
    linalg on tensors with generic ops (after `linalg-generalize-named-ops`).

    #### Output IR
    The same ops with f16/bf16 tensor types where narrowed, `arith.extf` and
    `arith.truncf` in bodies. Numbers change: each stored intermediate is
    rounded to the narrow type (about 3 decimal digits for f16, 2 for bf16).
  }];
  let options = [
    Option<"dtype", "dtype", "std::string", /*default=*/"\"f16\"",
           "The storage type: f16 or bf16">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def LoomFuseElementwise : Pass<"loom-fuse-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg producers into their consumers without recomputation";
  let description = [{
    Upstream elementwise fusion (`populateElementwiseOpsFusionPatterns`) with
    a cost rule: a producer is fused into its consumer only when the producer
    has no other use and the consumer reads its result through a permutation
    of the consumer's loops, so every producer element is still computed
    exactly once. Broadcasting consumers (a [S,D] table read inside a
    [B,H,S,D] loop, an exp inside a matmul-shaped generic) would recompute the
    producer per reuse; upstream's `linalg-fuse-elementwise-ops` fuses those
    too and made the tiny Llama 18x slower. Chains of bias, activation,
    residual, scale and normalisation steps become one loop nest and lose
    their temporaries.

    #### Input invariant
    linalg on tensors.

    #### Output IR
    Fewer `linalg.generic` ops; numbers are unchanged (the fused body runs
    the same scalar operations in the same order per element).
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
  ];
}

def LoomFuseProjections : Pass<"loom-fuse-projections", "::mlir::func::FuncOp"> {
  let summary = "Fuse linear projections of one activation into one matmul "
                "on the concatenated weight";
  let description = [{
    Attention's q/k/v projections and the SwiGLU gate/up projections read the
    same activation; each is a `linalg.matmul` by its own constant weight.
    This pass replaces every group of two or more such matmuls by one matmul
    on the column-concatenated weight (folded at compile time into one
    constant) and a `tensor.extract_slice` per projection:

    ```
    q = matmul x, Wq ; k = matmul x, Wk ; v = matmul x, Wv
    ->  qkv = matmul x, concat(Wq, Wk, Wv) ; q, k, v = slices of qkv
    ```

    One GEMM with N = Nq + Nk + Nv instead of three: the activation is read
    (and packed) once, and the CPU kernel has more columns to spread over its
    threads. Each output column is the same dot product as before, so the
    numbers do not change (test/Models/fusion.test measures it).

    Projections are fused when they share: the activation (the same SSA
    value; the importer's `tensor.collapse_shape`s of one tensor are CSE'd
    into one), a destination `linalg.fill` of `tensor.empty` with the same
    constant, the weight's row count and element type, the result element
    type, the block, and the matmul's attributes. Weights must be constants
    (dense, splat or `dense_resource`) of whole-byte elements; the operands
    must be static 2-D tensors with linalg.matmul's default indexing maps.
    Anything else (a computed weight, a transposed matmul, a single
    projection) is left alone.

    When every projection of a group is followed by a bias add (its only
    user, possibly through a `tensor.expand_shape` that keeps the column
    dimension; a constant 1-D bias broadcast along columns), the adds become
    one add of the concatenated bias on the fused result, before the slices
    (`loom-fuse-epilogues` then moves it into the matmul's accumulator).
    Float addition is commutative, so this changes no number either. With
    some projections biased and others not, the adds stay where they are.

    #### Input invariant
    linalg on tensors (after `loom-optimize-pipeline`'s raising).

    #### Output IR
    Fewer `linalg.matmul`s; one new constant per fused group.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
  let statistics = [
    Statistic<"numGroups", "num-groups", "Number of fused matmuls created">,
    Statistic<"numProjections", "num-projections",
              "Number of projections fused into them">,
    Statistic<"numBiases", "num-biases",
              "Number of bias adds fused into one add per fused matmul">,
  ];
}

def LoomFuseEpilogues : Pass<"loom-fuse-epilogues", "::mlir::func::FuncOp"> {
  let summary = "Move bias and residual adds after a matmul into its "
                "accumulator";
  let description = [{
    `linalg.matmul` accumulates into its destination (C += A B). A bias or
    residual add that reads only the matmul's result (possibly through the
    importer's `tensor.expand_shape`) is folded into that destination
    instead:

    ```
    y = add(expand(matmul(x, W, fill(0))), bias)      // bias: any broadcast
    ->  y = expand(matmul(x, W, collapse(broadcast(bias))))
    r = add(expand(matmul(x, W, init)), residual)
    ->  r = expand(matmul(x, W, collapse(expand(init) + residual)))
    ```

    Repeated, `matmul + bias + residual` becomes one matmul whose
    destination is `bias + residual`: the GEMM kernel (CPU `loom_kernel_sgemm`,
    and any backend's matmul) adds them as it accumulates, and the
    elementwise pass over its result disappears; the destination's
    elementwise producer replaces the zero fill (and `loom-fuse-elementwise`
    merges the bias and residual producers into one loop). The result is the
    same sum in another order: `(b + r) + sum_k` instead of
    `(sum_k + b) + r`, within float rounding (test/Models/fusion.test
    measures it on every shared model).

    Only an add is folded: an activation between the matmul and the add, or
    a matmul result with other users, stops the chain (the activation is not
    linear in the accumulator). The other operand must be defined before the
    matmul and use the add's element type.

    #### Input invariant
    linalg on tensors.

    #### Output IR
    Fewer elementwise `linalg.generic`s after matmuls; matmul destinations
    that are not fills.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def LoomApproximateMath : Pass<"loom-approximate-math", "::mlir::func::FuncOp"> {
  let summary = "Replace f32 exp, erf and tanh by vectorisable polynomial approximations";
  let description = [{
    Upstream's polynomial approximations (`math` dialect transforms) of
    `math.exp`, `math.erf` and `math.tanh` on f32, so that the loops around
    them vectorise instead of calling scalar libm (`expf`, `erff`) per
    element: the GELU of a ViT and the SiLU of a Llama MLP are otherwise
    dominated by those calls. The fast CPU path runs it; the reference path
    keeps libm. The approximations stay within a few ULP of libm (the
    execution tests compare both paths at their usual tolerances).

    #### Input invariant
    Any IR with `math` ops.

    #### Output IR
    f32 `math.exp`, `math.erf` and `math.tanh` are replaced by arith/math
    polynomials; other types and ops are untouched.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def LoomCopiesToLinalg : Pass<"loom-copies-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Rewrite strided memref.copy into linalg.copy";
  let description = [{
    Copies into or out of strided views (from `tensor.concat` and
    `tensor.insert_slice` bufferization) lower to calls of the `memrefCopy`
    runtime helper, which the JIT and compiled libraries do not link. This pass
    turns them into `linalg.copy`, which becomes loops. Copies between
    identity-layout buffers stay `memref.copy` (a memcpy).

    #### Input invariant
    Bufferized IR.

    #### Output IR
    Every `memref.copy` has identity layouts on both sides (none is left with
    `all-copies`).
  }];
  let options = [
    Option<"allCopies", "all-copies", "bool", /*default=*/"false",
           "Rewrite copies between identity-layout buffers too (for targets "
           "whose copies must be kernels, such as the GPU)">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def LoomRaiseAttention : Pass<"loom-raise-attention", "::mlir::func::FuncOp"> {
  let summary = "Raise decomposed scaled-dot-product attention to loom.attention";
  let description = [{
    Finds `softmax(scale * Q K^T + mask) V` written with upstream ops (what
    `loom-import-onnx` makes of exporter output: `linalg.batch_matmul`s on
    collapsed heads, splat scales on Q, K or the scores, an additive or
    boolean mask, `linalg.softmax` over the keys, the `where(isnan(p), 0, p)`
    guard, GQA as a broadcast of the kv heads) and replaces it by one
    `loom.attention` on the `[B,H,S,D]` tensors.

    Operands are traced through any chain of reshapes, transposes and
    broadcasts (see `TensorView`), so the pass works before and after
    canonicalization. Query head `h` must read kv head `h / (Hq / Hkv)`.
    Constant masks are evaluated and become `causal`, `window` and `sinks`
    when their entries are 0 (visible) or at most -1e30 (masked) in that
    pattern, and disappear when all entries are 0; other masks become the
    `mask` operand. Anything that cannot be shown equivalent is left alone:
    other ops on the scores (softcapping, ...), masks transposed relative to
    the scores, computed masks without the NaN guard, fully masked rows that
    would be NaN without the guard, non-f32 or dynamic shapes.

    #### Input invariant
    Any function on tensors.

    #### Output IR
    Each matched attention is one `loom.attention` whose result is collapsed
    to the `[B*H, Sq, Dv]` the P x V product had; the decomposed ops become
    dead and are erased.
  }];
  let dependentDialects = [
    "::mlir::loom::LoomDialect",
    "::mlir::tensor::TensorDialect",
  ];
  let statistics = [
    Statistic<"numRaised", "num-raised",
              "Number of attentions raised to loom.attention">,
  ];
}

def LoomRaiseMoE : Pass<"loom-raise-moe", "::mlir::func::FuncOp"> {
  let summary = "Raise router + top-k + per-expert gathers to loom.moe.ffn";
  let description = [{
    Finds a SwiGLU mixture-of-experts layer written with upstream ops and
    `loom.topk` (what `loom-import-onnx` makes of exporter output) and replaces
    it by one `loom.moe.ffn`:

    - router: `linalg.matmul` of the layer input by `[H, E]`, then either
      `linalg.softmax` and `loom.topk` (`softmax_topk`, optionally divided by
      the sum of the k weights: `renormalize`) or `loom.topk` of the logits
      and `linalg.softmax` of the k values (`topk_softmax`);
    - experts: for every row, gathers of expert slices of `[E, ., .]` weight
      tables by the top-k index (through the importer's index wrap/clamp and
      an exporter clamp to `[0, E-1]`, identities on top-k indices),
      `linalg.batch_matmul`s in either layout (nn.Linear `[E, out, in]` or
      `[E, in, out]`), a fused gate/up projection split in two or two
      projections, `silu(gate) * up`, and the down projection;
    - combine: the flattened form (rows `t*K + s`, weighted, viewed as
      `[T, K, H]` and summed over K by `linalg.reduce`) or the per-slot form
      (one term `weights[:, s] * FFN(x)` per slot, summed by adds).

    Rows must be shown to read token t and expert `idx[t, s]`; every slot must
    appear once; all slots must use the same tables. Constant expert tables
    are rearranged to loom's `[E, in, out]` layout at compile time. Anything
    else is left alone (a router bias, other activations, shared experts are
    not recognised yet).

    #### Input invariant
    Any function on tensors; static f32 shapes are required for a match.

    #### Output IR
    Each matched layer is one `loom.moe.ffn` (dropless); the decomposed ops
    become dead and are erased.
  }];
  let dependentDialects = [
    "::mlir::loom::LoomDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::linalg::LinalgDialect",
  ];
  let statistics = [
    Statistic<"numRaised", "num-raised",
              "Number of MoE layers raised to loom.moe.ffn">,
  ];
}

def LoomRaiseRoPE : Pass<"loom-raise-rope", "::mlir::func::FuncOp"> {
  let summary = "Raise rotary embeddings (rotate-half, interleaved) to loom.rope";
  let description = [{
    Finds `x * cos + concat(-x[..., R/2:], x[..., :R/2]) * sin` (the
    rotate-half form of HuggingFace's `apply_rotary_pos_emb`, as
    `loom-import-onnx` imports it: elementwise `linalg.generic`s,
    `tensor.extract_slice` and `tensor.concat`) and replaces it by one
    `loom.rope`. Both sums and products may be in either operand order; the
    cos/sin tables may be constants or computed and are read through any
    broadcast, then reshaped to the input's rank with unit dimensions. A
    partial rotary embedding (the rotated channels concatenated with the
    untouched rest of the same tensor) becomes one `loom.rope` with a rotary
    width below the head size.

    GPT-J's interleaved `rotate_every_two`, `stack(-x[..., 1::2],
    x[..., 0::2], -1).flatten(-2)` (stride-2 slices, a negation, a concat
    along a new unit axis and a collapse), becomes `loom.rope {interleaved}`.

    The op computes the same multiplications and additions, so the rewrite is
    bit-exact.

    #### Input invariant
    Any function on tensors; static shapes are required for a match.

    #### Output IR
    Each matched embedding is one `loom.rope`; the decomposed ops become dead.
  }];
  let dependentDialects = [
    "::mlir::loom::LoomDialect",
    "::mlir::tensor::TensorDialect",
  ];
  let statistics = [
    Statistic<"numRaised", "num-raised",
              "Number of rotary embeddings raised to loom.rope">,
  ];
}

def LoomRaiseRMSNorm : Pass<"loom-raise-rms-norm", "::mlir::func::FuncOp"> {
  let summary = "Raise decomposed RMS normalisation to loom.rms_norm";
  let description = [{
    Finds `weight * (x * 1 / sqrt(mean(x^2) + eps))` over the last axis (the
    `LlamaRMSNorm` export, and Qwen3's per-head q/k norms) and replaces it by
    one `loom.rms_norm`. Accepted: the square as `x * x` or `pow(x, 2)`; the
    mean as a `linalg.reduce` sum divided by N or multiplied by 1/N, with its
    unit dimension kept or not; the inverse root as `1 / sqrt`, `rsqrt`, or a
    division of x by the root; the weight (a `[N]` tensor, possibly seen
    through unit dimensions) on either side, or none. `eps` must be a
    non-negative constant.

    The op's reference lowering computes the same steps in the same order in
    f32, except that a multiplication by a rounded 1/N becomes a division by N
    and `x / root` becomes `x * (1 / root)` (each within an ulp).

    #### Input invariant
    Any function on tensors; static float shapes are required for a match.

    #### Output IR
    Each matched normalisation is one `loom.rms_norm`.
  }];
  let dependentDialects = [
    "::mlir::loom::LoomDialect",
    "::mlir::tensor::TensorDialect",
  ];
  let statistics = [
    Statistic<"numRaised", "num-raised",
              "Number of RMS normalisations raised to loom.rms_norm">,
  ];
}

def LoomRaiseQMatmul : Pass<"loom-raise-qmatmul", "::mlir::func::FuncOp"> {
  let summary = "Raise a matmul by a dequantized int8 constant weight to "
                "loom.qmatmul";
  let description = [{
    Finds `linalg.matmul(x, W)` (zero-filled init) whose `[K,N]` weight is
    computed elementwise from an 8-bit integer constant `q`,

    ```
    W[k,n] = (float(q[k,n]) - z[k,n]) * s[k,n]     // the subtraction optional
    ```

    in one `linalg.generic` (what `loom-import-onnx` makes of
    `DequantizeLinear`) or a chain of them (`Mul(Cast(q), s)`,
    `Mul(Sub(Cast(q), Cast(zp)), s)`), either operand order, and replaces it
    by `loom.qmatmul %x, %qT, %scales[, %zero_points] {bits = 8}` with the
    codes transposed to `[N,K]` at compile time. `q` is `sitofp` of `i8`
    codes or `uitofp` of `u8` codes (stored as `q - 128`, zero point
    `z - 128`); the zero point is an integer tensor or constant converted to
    f32, or an integer-valued f32. Scales and zero points are evaluated: when
    they are constant along K they become per-channel `[N]` operands (a
    per-tensor scale is broadcast), when they change only at multiples of
    some g (blocked DequantizeLinear) they become `[N,K/g]` with
    `group_size = g` (the largest such g).

    The rewrite is exact: the difference `q - z` is an integer below 2^9 in
    magnitude (exact in f32), so the weight is `fl((q - z) * s)` with one
    rounding, which is what loom.qmatmul computes. Refused (left alone):
    weights that are not constant, other arithmetic in the chain, codes
    wider than 8 bits, zero points that do not fit i8 after the shift, a
    scale varying along K without a block structure, non-f32 types (f32
    only for now) and dynamic shapes.

    #### Input invariant
    Any function on tensors.

    #### Output IR
    Each matched matmul is one `loom.qmatmul` on new `i8` / f32 constants;
    the dequantization chain becomes dead (erased when it has no other use).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::loom::LoomDialect",
  ];
  let statistics = [
    Statistic<"numRaised", "num-raised",
              "Number of matmuls raised to loom.qmatmul">,
  ];
}

def LoomDuplicateFills : Pass<"loom-duplicate-fills", "::mlir::func::FuncOp"> {
  let summary = "Give every destination-style user of a linalg.fill its own fill";
  let description = [{
    CSE merges identical `linalg.fill` ops, so one zero-filled tensor often
    initialises several matmuls and reductions. One-Shot Bufferize can write
    only one of those users in place: it fills one buffer and copies it into
    a fresh buffer for each other user (a `memref.copy` that reads as much
    memory as it writes). This pass clones the fill (and the `tensor.empty`
    it fills) in front of each destination-style user after the first, so
    that every destination is filled in place. Part of the fast CPU path,
    right before bufferization.

    #### Input invariant
    linalg on tensors.

    #### Output IR
    The same computation with one fill per destination use; numbers are
    unchanged.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def LoomInsertKVCache : Pass<"loom-insert-kv-cache", "::mlir::ModuleOp"> {
  let summary = "Split a full-sequence causal LM into @prefill and @decode_step "
                "functions with one KV cache per attention layer";
  let description = [{
    An ONNX export of a causal language model computes the whole sequence
    at once: `@main(%tokens: tensor<BxSxi64>) -> tensor<BxSxV>`. This pass
    turns it into the two functions of autoregressive generation and removes
    the original:

    ```
    @prefill(%tokens: tensor<BxPxi64>)
        -> (tensor<BxPxV>, !loom.kv_cache<..>, ..., !loom.kv_cache<..>)
    @decode_step(%token: tensor<Bx1xi64>, %position: tensor<1xi64>,
                 %cache_0: !loom.kv_cache<..>, ..., %cache_{L-1})
        -> (tensor<Bx1xV>, !loom.kv_cache<..>, ...)
    ```

    There is one `!loom.kv_cache<B x Hkv x C x D>` per causal `loom.attention`
    (in program order, i.e. layer order), after the original results. In
    `@prefill` each attention becomes `loom.kv.init`, `loom.kv.append` of the
    P keys and values and `loom.attention` of the P queries reading the
    cache; in `@decode_step` the cache comes in as an argument, gets the
    token's key and value appended, and the one query attends over it
    (query positions are the cache's `next - Sq + i`, so causality holds).
    `%position` is the absolute position of `%token` (0-based: the number of
    tokens already in the caches), one for all B sequences.

    Both functions are the original computation with the sequence length S
    replaced by T (P or 1) along the token axis. The token axis is found by a
    dataflow propagation, not by names: it starts at axis 1 of the token
    argument and flows both ways through linalg ops (the loop dimension that
    indexes the token axis of one operand indexes it on every operand and
    result that uses it: inits, `tensor.empty`, constants), through
    `tensor.collapse_shape`/`expand_shape` (the token axis may be merged only
    with unit dimensions; output shapes are recomputed),
    `tensor.extract_slice` taking the token axis whole, `tensor.concat` along
    another axis, elementwise ops,
    and loom ops by their semantics (`loom.rms_norm`, `loom.rope` and its
    tables, `loom.moe.ffn` rows, `loom.attention` queries/outputs and
    keys/values). Constants that carry the token axis (rotary cos/sin tables
    `[1,1,S,R]`, any position-dependent table) are sliced with
    `tensor.extract_slice`: rows `[0, P)` in `@prefill`, the row at the
    run-time `%position` in `@decode_step`, so one compiled step serves every
    position.

    #### Options
    - `capacity` (default S): entries per cache. Appending past it is the
      run-time error of `loom.kv.append` (LOOM_ERROR_KV_CACHE_CAPACITY_EXCEEDED).
    - `prompt-length` (default S): P, the tokens `@prefill` takes.
      Must satisfy `1 <= P <= capacity`, and `P <= S` when constants carry
      the token axis.
    - `function` (default: the only public function): the function to split.

    #### Run-time errors (`loom_runtime_error`, see RuntimeErrors.h)
    - `LOOM_ERROR_POSITION_OUT_OF_RANGE` (3): `@decode_step` at a position
      outside `[0, S)` when position-dependent constants were sliced (the
      export's rotary tables end at S); the tables are read clamped, so the
      step stays in bounds but its outputs are not meaningful.
    - `LOOM_ERROR_POSITION_MISMATCH` (4): `%position` differs from the
      position the first cache recorded for the appended token (its `next`).

    #### Input invariant
    A module with one function (see `function`) taking the token ids
    `tensor<BxSxi*>` as its only argument, one block, static shapes, causal
    `loom.attention` on key/value tensors (after `loom-raise-attention`),
    no `@prefill`/`@decode_step` symbols.

    #### Output IR
    `@prefill` and `@decode_step` (loom, linalg, tensor, arith, scf ops only)
    and the private declaration `@loom_runtime_error(i32)`; the original
    function is removed.

    #### Errors (diagnostics at a location, never a wrong result)
    Option values out of range; no causal attention over the tokens;
    non-causal attention; attention whose keys (or queries) do not come from
    the token sequence, with a mask, key scores, or reading a cache already;
    and any op the propagation cannot see through: a reduction over the token
    loop, a read of the token loop index (`linalg.index`), a token axis
    merged with a non-unit dimension, a slice or concatenation along the
    token axis, `loom.moe.ffn` with a capacity factor
    (token dropping depends on how many tokens are routed together), a token
    value used inside a region, or an unknown op.
  }];
  let options = [
    Option<"capacity", "capacity", "int64_t", /*default=*/"0",
           "Entries per KV cache (default: the export's sequence length S)">,
    Option<"promptLength", "prompt-length", "int64_t", /*default=*/"0",
           "Tokens @prefill takes (default: the export's sequence length S)">,
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "The function to split (default: the only public one)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::loom::LoomDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
  let statistics = [
    Statistic<"numCaches", "num-caches",
              "Number of KV caches (causal attention layers) inserted">,
    Statistic<"numSlicedConstants", "num-sliced-constants",
              "Number of position-dependent constants sliced by position">,
  ];
}

def LoomDropTokens : Pass<"loom-drop-tokens", "::mlir::ModuleOp"> {
  let summary = "Prune the least important tokens after chosen layers "
                "(EViT placement, PyramidDrop schedules)";
  let description = [{
    Inserts `loom.token.score` and `loom.token.prune` in the residual stream
    of chosen transformer blocks and re-types the rest of the model to the
    kept tokens (retypeTokenSubset, TokenAxis.h). Layers are the
    `loom.attention` ops in program order, 0-based.

    Placement (EViT): in block `i` the prune is applied right after the
    attention sublayer, to the residual add `h = x + attn_branch(x)`, so the
    MLP of block `i` and every later block run on the kept tokens. The keep
    fraction is relative to the tokens entering that prune
    (`loom.token.prune` `keep_ratio` semantics: `K = ceil(r * S)`).

    Scores:
    - `cls-attention` (default): the attention the class token (query row 0)
      pays to each key in block `i`. An extra `loom.attention` of query rows
      `[0, 1)` against the layer's keys and values returns its `key_scores`
      `[B,Hkv,S]` (summed over the query heads of each kv group), reshaped to
      `[B,Hkv,1,S]` for `loom.token.score cls_attention`, which averages
      over the Hkv groups. With GQA this is `Hq/Hkv` times the average over
      all query heads: the same ranking. The layer's own attention is left
      unchanged (it stays on the CPU fast path).
    - `attention-received`: the attention every token receives from all
      queries: the layer's attention returns `key_scores` (this takes it off
      the CPU fast path, whose kernel has no key scores).
    - `l2norm`: the L2 norm of each token of `h`.

    Schedules: `layers=i:r,j:s` (keep fraction `r` after layer `i`, ...), or
    `stages=N ratio=r` (PyramidDrop-style: the L blocks are split into N
    equal stages, L divisible by N; in the last block of each stage but the
    last, keep `r` of the tokens). `pinned` (default `0`, the class token)
    lists tokens that are always kept. Outputs that need every position (a
    function result with the token axis) get `loom.token.restore`: kept rows
    at their original positions, zeros for dropped rows. Slices of leading
    rows (ViT's pooler reads token 0) need those rows pinned: the pinned
    tokens must include `0..n-1`.

    #### Errors (diagnostics at a location)
    Bad schedule syntax, a layer index out of range, a ratio outside
    `(0, 1]`, both or neither of `layers` and `stages`, an unknown score,
    causal attention with an attention score, slices of rows that are not
    pinned, and any structure the pass does not understand (no residual add
    after the attention, queries and keys of different lengths, ops the
    token-axis propagation cannot see through).
  }];
  let options = [
    Option<"score", "score", "std::string", /*default=*/"\"cls-attention\"",
           "Token score: cls-attention, attention-received or l2norm">,
    ListOption<"layers", "layers", "std::string",
               "Schedule: layer:keep-fraction pairs (e.g. 2:0.7,3:0.5)">,
    Option<"stages", "stages", "int64_t", /*default=*/"0",
           "PyramidDrop schedule: number of equal stages (with ratio)">,
    Option<"ratio", "ratio", "double", /*default=*/"0.0",
           "PyramidDrop schedule: keep fraction at the end of each stage">,
    ListOption<"pinned", "pinned", "int64_t",
               "Token indices always kept (default: 0, the class token)">,
  ];
  let dependentDialects = [
    "::mlir::loom::LoomDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::linalg::LinalgDialect",
  ];
  let statistics = [
    Statistic<"numPrunes", "num-prunes", "Number of loom.token.prune inserted">,
    Statistic<"numRebuilt", "num-rebuilt",
              "Number of ops re-typed to fewer tokens">,
  ];
}

def LoomReport : Pass<"loom-report", "::mlir::ModuleOp"> {
  let summary = "Per-layer and total cost: parameters, weight bytes, FLOPs, "
                "bytes moved, arithmetic intensity, KV-cache bytes per token";
  let description = [{
    An analysis: sums the `LoomCostInterface` record of every op that has one
    (the loom compute ops; `linalg.matmul`, `linalg.batch_matmul`,
    `linalg.generic`, `linalg.reduce`, `linalg.conv_2d*`) per layer (one op,
    named by its location: the ONNX node name, else `<op>#<index>`) and in
    total, then prints a fixed-width table to stdout and/or writes JSON.
    Ops whose record is all zero are left out; ops whose cost depends on
    dynamic sizes are listed as unknown. `loomc --report=FILE.json` runs the
    same analysis after `loom-optimize-pipeline`. docs/Report.md gives the
    counting conventions and the JSON schema.

    ```
    loom-opt --loom-report="output=report.json print=false" model.mlir
    ```

    #### Input invariant
    Any module; costs need static shapes.

    #### Output IR
    The input, unchanged. A JSON file that cannot be written is an error
    naming the path, and leaves no file (the JSON goes to a temporary file
    renamed over `output` at the end).
  }];
  let options = [
    Option<"output", "output", "std::string", /*default=*/"\"\"",
           "Write the report as JSON to this file (empty: no file)">,
    Option<"print", "print", "bool", /*default=*/"true",
           "Print the table to stdout">,
  ];
  let statistics = [
    Statistic<"numLayers", "num-layers", "Number of layers with a cost">,
    Statistic<"numUnknown", "num-unknown",
              "Number of ops whose cost depends on dynamic sizes">,
  ];
}

def LoomKVCompress : Pass<"loom-kv-compress", "::mlir::ModuleOp"> {
  let summary = "Compress the KV caches of a prefill/decode pair (StreamingLLM, "
                "SnapKV, KIVI)";
  let description = [{
    Applies a KV-cache compression policy to every cache of a module in the
    form `loom-insert-kv-cache` produces: in each function, a cache that is
    created (`loom.kv.init`) or received as an argument, appended to
    (`loom.kv.append`), read by one causal `loom.attention` and returned. The
    compression ops go after that attention, so the current tokens always
    attend to the whole cache and the cache handed to the next step is the
    compressed one. Caches received as arguments (the decode step's) are
    retyped to the compressed type, so the memory the caller keeps between
    steps is what the budget says: `K + interval` entries per layer and head
    for eviction (the budget plus room for the appends between two
    evictions), `K` for SnapKV (the compressed prompt plus the generated
    tokens), and `bits`-wide codes for `quantize`. H2O and merging also keep
    `[B,H,K + interval]` f32 accumulated scores per layer.

    | policy | where | what |
    | --- | --- | --- |
    | `window-sinks` | after every attention (every `interval` steps in the decode step) | `loom.kv.evict window_sinks` to `K` entries keeping `sinks` |
    | `h2o` | after every attention (every `interval` steps) | `loom.kv.evict h2o` to `K` entries: `recent` plus the heaviest accumulated attention; the accumulated scores travel with the cache as a state tensor (`loom.kv_state = "scores"` on the decode step's argument and result) |
    | `merge` | the same | `loom.kv.merge` (KVMerger) to `K` entries with `recent`, `threshold`, `sigma`; the scores of a merged entry are its set's sum |
    | `snapkv` | once, after prefill | scores of the last `window` prompt queries (a second `loom.attention` on them), `loom.kv.evict snapkv` of the prompt to `K - (C - P)` entries with pooling `kernel` |
    | `quantize` | once, after prefill; appends quantize completed groups | `loom.kv.quantize` to `bits` in groups of `group` with `residual` full-precision tokens (KIVI) |
    | `snapkv+quantize` | after prefill | SnapKV, then KIVI (the budget rounded down to whole groups) |

    `budget` is a count of entries (`budget=24`) or a fraction of the
    uncompressed capacity `C` (`budget=0.5`: `K = floor(0.5 * C)`); `C` is the
    context the generation covers (the `capacity` of `loom-insert-kv-cache`),
    `P` the prompt length. After an eviction the cache moves into storage of
    the compressed capacity (`loom.kv.resize`), so no full-size copy is kept.

    ```
    loom-opt --loom-insert-kv-cache="capacity=64 prompt-length=48" \
             --loom-kv-compress="policy=window-sinks budget=0.5 sinks=4" model.mlir
    ```

    #### Input invariant
    Every `loom.attention` reading a cache reads the result of a
    `loom.kv.append` whose cache comes from `loom.kv.init` or a function
    argument, and that append result is used only by the attention, the
    function's return, `loom.kv.length` and entry reads (`loom.kv.positions`,
    `keys`, `values`) whose results are only read by `tensor.extract` (they
    follow the cache to its compressed capacity); caches are unquantized. Anything else is an error at
    the attention's location; so is a budget the policy cannot meet (a budget
    below the sinks or the window plus one, a SnapKV budget that leaves no
    room for the prompt, a group that does not divide the capacity).

    #### Output IR
    The same functions with compression ops after each attention and the
    compressed cache types in the signatures of functions that receive
    caches. Each function gets a `loom.kv_compression` string attribute naming
    the policy and budget.
  }];
  let options = [
    Option<"policy", "policy", "std::string", /*default=*/"\"\"",
           "window-sinks, h2o, merge, snapkv, quantize or snapkv+quantize">,
    Option<"budget", "budget", "std::string", /*default=*/"\"\"",
           "Entries kept per layer, head and sequence: a count, or a fraction "
           "in (0, 1) of the uncompressed capacity">,
    Option<"sinks", "sinks", "int64_t", /*default=*/"4",
           "window-sinks: leading entries always kept">,
    Option<"window", "window", "int64_t", /*default=*/"8",
           "snapkv: observation window (last prompt queries)">,
    Option<"kernel", "kernel", "int64_t", /*default=*/"5",
           "snapkv: max-pooling kernel over prefix scores (odd)">,
    Option<"interval", "interval", "int64_t", /*default=*/"1",
           "window-sinks, h2o, merge: decode steps between evictions">,
    Option<"recent", "recent", "int64_t", /*default=*/"4",
           "h2o, merge: most recent entries always kept">,
    Option<"threshold", "threshold", "double", /*default=*/"0.5",
           "merge: cosine similarity to the pivot for joining its set">,
    Option<"sigma", "sigma", "double", /*default=*/"1.0",
           "merge: Gaussian kernel width of the merge weights">,
    Option<"bits", "bits", "int64_t", /*default=*/"4",
           "quantize: code width (2, 4 or 8)">,
    Option<"group", "group", "int64_t", /*default=*/"16",
           "quantize: tokens (keys) / channels (values) per scale">,
    Option<"residual", "residual", "int64_t", /*default=*/"-1",
           "quantize: most recent tokens kept in full precision (-1: group)">,
  ];
  let dependentDialects = [
    "::mlir::loom::LoomDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
  let statistics = [
    Statistic<"numCompressed", "num-compressed", "Number of caches compressed">,
  ];
}

def LoomMergeTokens : Pass<"loom-merge-tokens", "::mlir::ModuleOp"> {
  let summary = "ToMe token merging at inference: r tokens merged per block "
                "between attention and MLP, with proportional attention";
  let description = [{
    Token merging (Bolya et al., ToMe) on an imported, raised encoder (a ViT):
    in each chosen block, right after the attention residual add
    `h = x + attn(x)`, `loom.token.merge` merges `r` tokens of `h` by
    bipartite soft matching on the cosine of that layer's attention keys,
    averaged over heads (`k [B,H,S,Dh]` -> `[B,S,Dh]`; for GQA the kv heads).
    The merged sizes are carried from merge to merge (`sizes` of the next
    `loom.token.merge`). Everything `h` flows into (the MLP, the following
    blocks) is re-typed to `S - r` tokens by the token-axis utility
    (TokenAxis.h). With `proportional`, every `loom.attention` after the
    first merge gets `mask = log(size)` of its key tokens, broadcast as
    `[B,1,1,S']` (size-weighted attention). An output that needs every
    position gets `loom.token.restore .. source(..)`, chained back through
    every merge, so each token is copied from the row that represents it.

    Blocks are the `loom.attention` ops of a function in program order
    (0-based). The residual add is the first `linalg.generic` adding two
    `[B,S,D]` tensors reached forward from the attention output, one of which
    the attention's query is computed from.

    ```
    loom-opt --loom-merge-tokens="r=8" vit.mlir
    loom-opt --loom-merge-tokens="r=16 layers=0,1 proportional=false" vit.mlir
    ```

    #### Options
    - `r` (required, >= 1): tokens merged in each chosen block.
    - `layers` (default: every block): the blocks to merge in.
    - `protect-first` (default true): token 0 (the class token) is never
      merged and stays row 0, so a slice of row 0 (a pooler) stays valid.
    - `proportional` (default true): size-weighted (proportional) attention.

    #### Input invariant
    Functions with non-causal `loom.attention` on tensors (after
    `loom-raise-attention`) with static shapes, the tokens along axis 1 of
    the `[B,S,D]` residual stream.

    #### Output IR
    `loom.token.merge` after the attention residual add of each chosen
    block, a head mean of the keys (`linalg.generic`), the re-typed rest of
    the function, `log(size)` masks on later attentions and
    `loom.token.restore` before outputs with every position.

    #### Errors (diagnostics at a location; the IR is left unchanged)
    `r` missing or < 1; a block index out of range or repeated; no
    `loom.attention`; causal attention (ToMe is for non-causal encoders); an
    attention after the first merge that already has a mask (with
    `proportional`) or reads a KV cache; an attention residual add that
    cannot be found; `r` too large for the tokens left at a block; any op the
    token-axis re-typing cannot see through.
  }];
  let options = [
    Option<"r", "r", "int64_t", /*default=*/"0",
           "Tokens merged per chosen block (required, >= 1)">,
    ListOption<"layers", "layers", "int64_t",
               "Blocks (0-based loom.attention order) to merge in; default "
               "every block">,
    Option<"protectFirst", "protect-first", "bool", /*default=*/"true",
           "Never merge token 0 (the class token)">,
    Option<"proportional", "proportional", "bool", /*default=*/"true",
           "Add log(size) of the key tokens to later attention scores">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::loom::LoomDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
  let statistics = [
    Statistic<"numMerges", "num-merges", "Number of loom.token.merge inserted">,
    Statistic<"numMasked", "num-masked",
              "Number of attentions given a log(size) mask">,
  ];
}

#endif // LOOM_TRANSFORMS_PASSES_TD
