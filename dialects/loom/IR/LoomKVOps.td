//===- LoomKVOps.td - KV cache operations -------------------*- tablegen -*-===//
//
// KV cache operations. See TECHNIQUES.md section 2.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMKVOPS_TD
#define LOOM_IR_LOOMKVOPS_TD

include "loom/IR/LoomDialect.td"
include "loom/IR/LoomAttrs.td"
include "loom/IR/LoomTypes.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

#endif // LOOM_IR_LOOMKVOPS_TD
