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
    Every `memref.copy` has identity layouts on both sides.
  }];
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
  let summary = "Raise router + TopK + per-expert gathers to loom.moe ops";
  let dependentDialects = ["::mlir::loom::LoomDialect"];
}

#endif // LOOM_TRANSFORMS_PASSES_TD
