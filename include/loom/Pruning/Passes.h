//===- Passes.h - Pruning passes --------------------------------*- C++ -*-===//
//
// Declares the passes of Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PRUNING_PASSES_H
#define LOOM_PRUNING_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace loom {

#define GEN_PASS_DECL
#include "loom/Pruning/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "loom/Pruning/Passes.h.inc"

} // namespace loom
} // namespace mlir

#endif // LOOM_PRUNING_PASSES_H
