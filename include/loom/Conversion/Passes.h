//===- Passes.h - Loom conversion passes ------------------------*- C++ -*-===//
//
// Declares Loom's conversion passes (generated from Passes.td).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_CONVERSION_PASSES_H
#define LOOM_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace loom {

#define GEN_PASS_DECL
#include "loom/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "loom/Conversion/Passes.h.inc"

} // namespace loom
} // namespace mlir

#endif // LOOM_CONVERSION_PASSES_H
