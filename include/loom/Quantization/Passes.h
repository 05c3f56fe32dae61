//===- Passes.h - Quantization and shift-add passes -------------*- C++ -*-===//
//
// Declares the passes of Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_QUANTIZATION_PASSES_H
#define LOOM_QUANTIZATION_PASSES_H

#include "loom/IR/LoomDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace loom {

#define GEN_PASS_DECL
#include "loom/Quantization/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "loom/Quantization/Passes.h.inc"

} // namespace loom
} // namespace mlir

#endif // LOOM_QUANTIZATION_PASSES_H
