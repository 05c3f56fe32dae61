//===- LoomInterfaces.td - loom op interfaces ---------------*- tablegen -*-===//
//
// Op interfaces that loom defines for its own ops and attaches to upstream
// ones. Today: LoomCostInterface, the static cost record that `loom-report`
// (docs/Report.md) sums per layer.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMINTERFACES_TD
#define LOOM_IR_LOOMINTERFACES_TD

include "mlir/IR/OpBase.td"

def LoomCostInterface : OpInterface<"LoomCostInterface"> {
  let cppNamespace = "::mlir::loom";
  let description = [{
    An op whose execution cost can be stated from its types and attributes:
    parameters and bytes of its constant (weight) operands, arithmetic
    operations, bytes read and written, and the KV-cache bytes it adds per
    token. `loom-report` sums these records per layer; the conventions (what
    counts as one operation, which operand is a weight) are in
    docs/Report.md. The models for the loom ops and for upstream linalg ops
    are attached by `registerLoomCostModels` (loom/Analysis/CostModel.h).
  }];
  let methods = [
    InterfaceMethod<[{
        The op's cost record, or failure when it depends on sizes that are
        not static (a dynamic dimension) or the op works on buffers.
      }],
      "::mlir::FailureOr<::mlir::loom::OpCost>", "getCost", (ins)>,
  ];
}

#endif // LOOM_IR_LOOMINTERFACES_TD
