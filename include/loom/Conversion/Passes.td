//===- Passes.td - Loom conversion passes -------------------*- tablegen -*-===//

#ifndef LOOM_CONVERSION_PASSES_TD
#define LOOM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertLoomToLinalg : Pass<"convert-loom-to-linalg"> {
  let summary = "Lower loom ops to upstream linalg/tensor/arith/math/scf (the reference semantics)";
  let description = [{
    The reference lowering: every loom op becomes upstream ops on tensors whose
    execution defines the op's meaning. It is deliberately simple (no tiling, no
    online softmax); the specialised CPU, GPU and HLS lowerings are tested by running
    them against it on random inputs.

    #### Input invariant
    Verifier-valid IR with static shapes on loom ops.

    #### Output IR
    No loom ops remain; `!loom.kv_cache` values are replaced by their components
    (keys, values, positions, length, next position). Ops the pass cannot lower are
    reported as errors with their location.
  }];
  let options = [
    Option<"bcqLut", "bcq-lut", "bool", /*default=*/"false",
           "Lower loom.bcq_matmul through 256-entry lookup tables of signed "
           "activation sums (ShiftAddLLM inference) instead of recomputing "
           "each byte's sum; the bits are the same">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::func::FuncDialect",
  ];
}

#endif // LOOM_CONVERSION_PASSES_TD
