//===- LoomMoEOps.td - mixture-of-experts operations --------*- tablegen -*-===//
//
// Mixture-of-experts operations. See TECHNIQUES.md section 3 for their semantics
// and docs/MoE.md for the design. A layer is `loom.moe.ffn`; it decomposes into
// route -> dispatch -> experts -> combine (`loom-decompose-moe`), and each of the
// four is an op of its own so that target lowerings can specialise one step.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMMOEOPS_TD
#define LOOM_IR_LOOMMOEOPS_TD

include "loom/IR/LoomDialect.td"
include "loom/IR/LoomAttrs.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Loom_MoERoutingMode : I32EnumAttr<"MoERoutingMode",
    "how a mixture-of-experts router turns logits into expert weights", [
      I32EnumAttrCase<"softmax_topk", 0>,
      I32EnumAttrCase<"topk_softmax", 1>,
      I32EnumAttrCase<"top_p", 2>,
    ]> {
  let cppNamespace = "::mlir::loom";
  let genSpecializedAttr = 0;
}
def Loom_MoERoutingModeAttr
    : EnumAttr<Loom_Dialect, Loom_MoERoutingMode, "moe_routing"> {
  let assemblyFormat = "`<` $value `>`";
}

def Loom_MoEActivation : I32EnumAttr<"MoEActivation",
    "activation of a feed-forward expert", [
      I32EnumAttrCase<"swiglu", 0>,
      I32EnumAttrCase<"gelu", 1>,
      I32EnumAttrCase<"gelu_tanh", 2>,
      I32EnumAttrCase<"relu", 3>,
    ]> {
  let cppNamespace = "::mlir::loom";
  let genSpecializedAttr = 0;
}
def Loom_MoEActivationAttr
    : EnumAttr<Loom_Dialect, Loom_MoEActivation, "moe_activation"> {
  let assemblyFormat = "`<` $value `>`";
}

def Loom_MoEExpertKind : I32EnumAttr<"MoEExpertKind",
    "what one expert computes", [
      I32EnumAttrCase<"ffn", 0>,
      I32EnumAttrCase<"zero", 1>,
      I32EnumAttrCase<"copy", 2>,
      I32EnumAttrCase<"constant", 3>,
    ]> {
  let cppNamespace = "::mlir::loom";
  let genSpecializedAttr = 0;
}
def Loom_MoEExpertKindAttr
    : EnumAttr<Loom_Dialect, Loom_MoEExpertKind, "moe_expert"> {
  let assemblyFormat = "`<` $value `>`";
}
def Loom_MoEExpertKindArrayAttr
    : TypedArrayAttrBase<Loom_MoEExpertKindAttr, "array of expert kinds">;

//===----------------------------------------------------------------------===//
// loom.moe.route
//===----------------------------------------------------------------------===//

def Loom_MoERouteOp : Loom_Op<"moe.route", [Pure]> {
  let summary = "Mixture-of-experts router: top-k / top-p selection with capacity";
  let description = [{
    Turns router logits `[T,E]` into `K` expert assignments per token: `weights
    [T,K]` (the logits' element type), `indices [T,K]` (i64) and `dropped`
    (`tensor<i64>`), the number of assignments removed by the capacity limit.
    Everything is computed in f32.

    - Experts are ranked per token by logit, descending; equal logits are ranked
      by lowest expert index. Slot `s` holds the expert of rank `s`.
    - `mode = softmax_topk` (default): `K = k`; the weight of a slot is the
      softmax over all `E` logits of its expert. `renormalize` divides the `k`
      weights by their sum (Mixtral's `norm_topk_prob`).
    - `mode = topk_softmax`: `K = k`; the softmax over the `k` selected logits
      (already sums to 1, so `renormalize` is rejected).
    - `mode = top_p` (dynamic routing): `K = k_max`; slot `s` is used iff
      `s < k_max` and the sum of the softmax probabilities of slots `0..s-1`
      (summed in slot order) is below `top_p`, so the first slot is always used
      and harder tokens (flatter distributions) use more experts. `renormalize`
      divides the used weights by their sum.
    - Unused slots have index `-1` and weight `0`.
    - `capacity_factor = c` (absent: dropless): each expert accepts at most
      `capacity = ceil(c * T * K / E)` assignments (evaluated in double
      precision as `((c * T) * K) / E`). Assignments are accepted in token
      order; an assignment beyond its expert's capacity is dropped: its slot
      gets index `-1` and weight `0` (the weight is lost, not redistributed;
      renormalisation happens before dropping) and it counts in `dropped`.

    ```mlir
    // Mixtral: softmax over 8 experts, top-2, renormalised, dropless.
    %w, %i, %d = loom.moe.route %logits {k = 2, renormalize}
        : tensor<16x8xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>, tensor<i64>)
    // Switch-style top-1 with capacity factor 1.25.
    %w1, %i1, %d1 = loom.moe.route %logits
        {mode = #loom.moe_routing<topk_softmax>, k = 1, capacity_factor = 1.25}
        : tensor<16x8xf32> -> (tensor<16x1xf32>, tensor<16x1xi64>, tensor<i64>)
    // Dynamic top-p: experts until 50% of the probability mass, at most 3.
    %w2, %i2, %d2 = loom.moe.route %logits
        {mode = #loom.moe_routing<top_p>, top_p = 0.5 : f32, k_max = 3}
        : tensor<16x8xf32> -> (tensor<16x3xf32>, tensor<16x3xi64>, tensor<i64>)
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$logits,
    DefaultValuedAttr<Loom_MoERoutingModeAttr,
                      "::mlir::loom::MoERoutingMode::softmax_topk">:$mode,
    OptionalAttr<I64Attr>:$k,
    OptionalAttr<F32Attr>:$top_p,
    OptionalAttr<I64Attr>:$k_max,
    UnitAttr:$renormalize,
    OptionalAttr<F64Attr>:$capacity_factor
  );
  let results = (outs AnyRankedTensor:$weights, AnyRankedTensor:$indices,
                      AnyRankedTensor:$dropped);
  let assemblyFormat = [{
    $logits attr-dict `:` type($logits) `->`
    `(` type($weights) `,` type($indices) `,` type($dropped) `)`
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Slots per token: `k`, or `k_max` for top-p.
    int64_t getNumSlots();
  }];
}

//===----------------------------------------------------------------------===//
// loom.moe.dispatch
//===----------------------------------------------------------------------===//

def Loom_MoEDispatchOp : Loom_Op<"moe.dispatch", [Pure]> {
  let summary = "Group token rows by expert (a permutation plus offsets)";
  let description = [{
    Given tokens `x [T,H]` and their assignments `indices [T,K]` (i64, from
    `loom.moe.route`), gathers one row per assignment into `rows [T*K,H]`,
    grouped by expert:

    - Assignment `a = t*K + s` (token `t`, slot `s`) with expert
      `e = indices[t,s]` in `[0,E)` is placed at row
      `offsets[e] + (number of earlier assignments a' < a of expert e)`;
      within an expert, rows are in token order.
    - `counts [E]` (i64) is the number of assignments of each expert,
      `offsets [E]` (i64) the exclusive prefix sum of `counts`.
    - `permutation [T*K]` (i64) gives, for every row, its assignment `a`
      (so its token is `a / K` and its slot `a % K`), or `-1` for the padding
      rows after the last expert's group.
    - Padding rows are zero. Assignments whose index is outside `[0,E)` (the
      `-1` of dropped or unused slots) are not dispatched.
    - `E` is the length of `offsets` and `counts`.

    ```mlir
    %rows, %perm, %offsets, %counts = loom.moe.dispatch %x, %indices
        : (tensor<16x64xf32>, tensor<16x2xi64>)
        -> (tensor<32x64xf32>, tensor<32xi64>, tensor<8xi64>, tensor<8xi64>)
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$indices);
  let results = (outs AnyRankedTensor:$rows, AnyRankedTensor:$permutation,
                      AnyRankedTensor:$offsets, AnyRankedTensor:$counts);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// loom.moe.experts
//===----------------------------------------------------------------------===//

def Loom_MoEExpertsOp : Loom_Op<"moe.experts",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "Grouped expert computation over dispatched rows";
  let description = [{
    Applies expert `e` to the rows of its group `[offsets[e], offsets[e] +
    counts[e])` of `rows [R,H]`; rows outside every group give zero. The result
    is `[R,H]` of the rows' element type, computed in f32.

    - `kinds` (absent: every expert is `ffn`) has one entry per expert (`E`,
      the length of `offsets`/`counts`):
      - `ffn`: a feed-forward expert. With `activation = swiglu` (default)
        `(silu(x W1) * (x W3)) W2`; with `gelu` (exact, erf),
        `gelu_tanh` (tanh approximation) or `relu`, `act(x W1) W2` and no `w3`.
      - `zero`: outputs 0. `copy`: outputs the row itself. `constant`: outputs
        a learned vector (MoE++ zero-computation experts).
    - The weights hold the `ffn` experts only, in expert order: `w1 [NF,H,F]`,
      `w2 [NF,F,H]`, `w3 [NF,H,F]`, `NF` the number of `ffn` experts (the `j`-th
      `ffn` expert uses slice `j`). Weights are `x W` (in x out); HF's
      `nn.Linear` weights are their transposes.
    - `constants [NC,H]` holds the vectors of the `NC` `constant` experts in
      expert order; it is required iff some expert is `constant`.
    - Quantized expert weights (weight-only, like `loom.qmatmul`): with
      `scales(...)` the weights are integer codes and
      `W[j,k,n] = (q[j,k,n] - z[j,k/g,n]) * s[j,k/g,n]`, dequantized in f32.
      `scales` has one tensor per weight (`s1, s2[, s3]` for `w1, w2[, w3]`),
      each `[NF,G,N]` f32 with `G = K / group_size` (`K` the weight's input
      dimension, `N` its output dimension), or `G = 1` without `group_size`
      (per output channel). `zero_points` (optional, asymmetric) are shaped
      as the scales, `i8` in the range of `bits`; without them `z = 0`.
      `bits = 8` (default): a weight is `[NF,K,N]` of `i8`. `bits = 4`: it
      is `[NF,K/2,N]` of `i8`, two signed int4 codes per byte packed along
      `K` as `loom.qmatmul` packs them: byte `[j,i,n]` holds `q[j,2i,n]` in
      bits 0..3 and `q[j,2i+1,n]` in bits 4..7 (`K` even). `bits`,
      `group_size` and `zero_points` require `scales`.

    ```mlir
    %y = loom.moe.experts %rows, %offsets, %counts
        weights(%w1, %w2, %w3)
        : (tensor<32x64xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x64x128xf32>,
           tensor<8x128x64xf32>, tensor<8x64x128xf32>) -> tensor<32x64xf32>
    // MoE++: 2 FFN experts, a zero, a copy and a constant expert, GELU.
    %y2 = loom.moe.experts %rows2, %offsets2, %counts2 weights(%v1, %v2)
        constants(%c) {activation = #loom.moe_activation<gelu>,
        kinds = [#loom.moe_expert<ffn>, #loom.moe_expert<zero>,
                 #loom.moe_expert<ffn>, #loom.moe_expert<copy>,
                 #loom.moe_expert<constant>]}
        : (tensor<32x64xf32>, tensor<5xi64>, tensor<5xi64>, tensor<2x64x128xf32>,
           tensor<2x128x64xf32>, tensor<1x64xf32>) -> tensor<32x64xf32>
    // int4 experts, groups of 32 along K, symmetric.
    %y3 = loom.moe.experts %rows, %offsets, %counts
        weights(%q1, %q2, %q3) scales(%s1, %s2, %s3) {bits = 4, group_size = 32}
        : (tensor<32x64xf32>, tensor<8xi64>, tensor<8xi64>, tensor<8x32x128xi8>,
           tensor<8x64x64xi8>, tensor<8x32x128xi8>, tensor<8x2x128xf32>,
           tensor<8x4x64xf32>, tensor<8x2x128xf32>) -> tensor<32x64xf32>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$rows,
    AnyRankedTensor:$offsets,
    AnyRankedTensor:$counts,
    AnyRankedTensor:$w1,
    AnyRankedTensor:$w2,
    Optional<AnyRankedTensor>:$w3,
    Optional<AnyRankedTensor>:$constants,
    Variadic<AnyRankedTensor>:$scales,
    Variadic<AnyRankedTensor>:$zero_points,
    DefaultValuedAttr<Loom_MoEActivationAttr,
                      "::mlir::loom::MoEActivation::swiglu">:$activation,
    OptionalAttr<Loom_MoEExpertKindArrayAttr>:$kinds,
    OptionalAttr<I64Attr>:$bits,
    OptionalAttr<I64Attr>:$group_size
  );
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $rows `,` $offsets `,` $counts `weights` `(` $w1 `,` $w2 (`,` $w3^)? `)`
    (`constants` `(` $constants^ `)`)?
    (`scales` `(` $scales^ `)`)? (`zero_points` `(` $zero_points^ `)`)?
    attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The kind of every expert (all `ffn` without `kinds`).
    ::llvm::SmallVector<::mlir::loom::MoEExpertKind> getExpertKinds();
  }];
}

//===----------------------------------------------------------------------===//
// loom.moe.combine
//===----------------------------------------------------------------------===//

def Loom_MoECombineOp : Loom_Op<"moe.combine", [Pure]> {
  let summary = "Weighted scatter-add of expert outputs back to token order";
  let description = [{
    `out[t,:] = sum over rows r with permutation[r] = t*K + s of
    weights[t,s] * expert_out[r,:]`, where `expert_out [R,H]` and
    `permutation [R]` (i64) come from `loom.moe.experts` and
    `loom.moe.dispatch`, and `weights [T,K]` from `loom.moe.route`. Rows with
    permutation `-1` (padding) or outside `[0,T*K)` contribute nothing. The
    result is `[T,H]` of `expert_out`'s element type, accumulated in f32.

    ```mlir
    %out = loom.moe.combine %y, %perm, %weights
        : (tensor<32x64xf32>, tensor<32xi64>, tensor<16x2xf32>) -> tensor<16x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$expert_output,
                       AnyRankedTensor:$permutation,
                       AnyRankedTensor:$weights);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $expert_output `,` $permutation `,` $weights attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// loom.moe.ffn
//===----------------------------------------------------------------------===//

def Loom_MoEFFNOp : Loom_Op<"moe.ffn", [Pure, AttrSizedOperandSegments]> {
  let summary = "A whole mixture-of-experts feed-forward layer";
  let description = [{
    `x [T,H]` through a router `router_weight [H,E]` (logits
    `x W_g` in f32) and experts, as

    ```
    logits = x W_g                                   // [T,E], f32
    weights, indices, dropped = loom.moe.route logits {routing attributes}
    rows, perm, offsets, counts = loom.moe.dispatch x, indices
    y = loom.moe.experts rows, offsets, counts weights(...) {expert attributes}
    out = loom.moe.combine y, perm, weights
    ```

    which is what `loom-decompose-moe` (and the reference lowering) produce.
    The routing attributes (`mode`, `k`, `top_p`, `k_max`, `renormalize`,
    `capacity_factor`) are those of `loom.moe.route`, the expert attributes and
    weights (`activation`, `kinds`, `w1`, `w2`, `w3`, `constants`, and the
    quantization operands and attributes `scales`, `zero_points`, `bits`,
    `group_size`) those of `loom.moe.experts`. Results: `out [T,H]` (x's element type) and `dropped`
    (`tensor<i64>`).

    ```mlir
    // A Mixtral block: 8 SwiGLU experts, top-2 renormalised.
    %out, %dropped = loom.moe.ffn %x, %wg weights(%w1, %w2, %w3)
        {k = 2, renormalize}
        : (tensor<16x64xf32>, tensor<64x8xf32>, tensor<8x64x128xf32>,
           tensor<8x128x64xf32>, tensor<8x64x128xf32>)
        -> (tensor<16x64xf32>, tensor<i64>)
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$input,
    AnyRankedTensor:$router_weight,
    AnyRankedTensor:$w1,
    AnyRankedTensor:$w2,
    Optional<AnyRankedTensor>:$w3,
    Optional<AnyRankedTensor>:$constants,
    Variadic<AnyRankedTensor>:$scales,
    Variadic<AnyRankedTensor>:$zero_points,
    DefaultValuedAttr<Loom_MoERoutingModeAttr,
                      "::mlir::loom::MoERoutingMode::softmax_topk">:$mode,
    OptionalAttr<I64Attr>:$k,
    OptionalAttr<F32Attr>:$top_p,
    OptionalAttr<I64Attr>:$k_max,
    UnitAttr:$renormalize,
    OptionalAttr<F64Attr>:$capacity_factor,
    DefaultValuedAttr<Loom_MoEActivationAttr,
                      "::mlir::loom::MoEActivation::swiglu">:$activation,
    OptionalAttr<Loom_MoEExpertKindArrayAttr>:$kinds,
    OptionalAttr<I64Attr>:$bits,
    OptionalAttr<I64Attr>:$group_size
  );
  let results = (outs AnyRankedTensor:$output, AnyRankedTensor:$dropped);
  let assemblyFormat = [{
    $input `,` $router_weight `weights` `(` $w1 `,` $w2 (`,` $w3^)? `)`
    (`constants` `(` $constants^ `)`)?
    (`scales` `(` $scales^ `)`)? (`zero_points` `(` $zero_points^ `)`)?
    attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Slots per token: `k`, or `k_max` for top-p.
    int64_t getNumSlots();
  }];
}

#endif // LOOM_IR_LOOMMOEOPS_TD
