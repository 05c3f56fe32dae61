//===- LoomOps.h - loom dialect operations ----------------------*- C++ -*-===//
//
// Declares the loom dialect's operations.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMOPS_H
#define LOOM_IR_LOOMOPS_H

#include "loom/IR/LoomAttrs.h"
#include "loom/IR/LoomDialect.h"
#include "loom/IR/LoomTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "loom/IR/LoomOps.h.inc"

namespace mlir {
namespace loom {
/// Attaches upstream TilingInterface to the loom compute ops that support it
/// (see docs/Tiling.md). Called by LoomDialect::initialize.
void attachLoomTilingInterfaces(MLIRContext &ctx);
} // namespace loom
} // namespace mlir

#endif // LOOM_IR_LOOMOPS_H
