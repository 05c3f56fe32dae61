//===- InitAllDialects.h - Loom dialect registration ------------*- C++ -*-===//
//
// One place that registers every dialect a Loom tool understands: all upstream
// dialects and extensions plus Loom's own.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_INITALLDIALECTS_H
#define LOOM_INITALLDIALECTS_H

#include "loom/IR/LoomDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"

namespace mlir {
namespace loom {

/// Adds Loom's dialects to `registry`.
inline void registerLoomDialects(DialectRegistry &registry) {
  registry.insert<LoomDialect>();
}

/// Adds every upstream dialect and extension plus Loom's to `registry`.
inline void registerAllDialects(DialectRegistry &registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registerLoomDialects(registry);
}

} // namespace loom
} // namespace mlir

#endif // LOOM_INITALLDIALECTS_H
