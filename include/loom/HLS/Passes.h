//===- Passes.h - HLS passes ------------------------------------*- C++ -*-===//
//
// Declares the passes of Passes.td: the loop-level passes of the HLS target
// (docs/HLS.md).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_HLS_PASSES_H
#define LOOM_HLS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace loom {

#define GEN_PASS_DECL
#include "loom/HLS/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "loom/HLS/Passes.h.inc"

} // namespace loom
} // namespace mlir

#endif // LOOM_HLS_PASSES_H
