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

#endif // LOOM_TRANSFORMS_PASSES_TD
