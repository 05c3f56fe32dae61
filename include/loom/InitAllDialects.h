//===- InitAllDialects.h - Loom dialect registration ------------*- C++ -*-===//
//
// One place that registers every dialect a Loom tool understands: all upstream
// dialects and extensions plus Loom's own.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_INITALLDIALECTS_H
#define LOOM_INITALLDIALECTS_H

#include "hls/IR/HLSDialect.h"
#include "loom/Analysis/CostModel.h"
#include "loom/Conversion/LoomToLinalg.h"
#include "loom/IR/LoomDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

namespace mlir {
namespace loom {

/// Adds Loom's dialects (loom, and hls of the HLS target) to `registry`,
/// with the op interfaces implemented outside the dialect (the
/// AggregatedOpInterface decompositions and the LoomCostInterface models of
/// loom-report).
inline void registerLoomDialects(DialectRegistry &registry) {
  registry.insert<LoomDialect, hls::HLSDialect>();
  registerLoomDecompositionInterfaces(registry);
  registerLoomCostModels(registry);
}

/// Adds every upstream dialect and extension plus Loom's to `registry`, with
/// the translations to LLVM IR that serialising GPU kernels needs.
inline void registerAllDialects(DialectRegistry &registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllGPUToLLVMIRTranslations(registry);
  registerLoomDialects(registry);
}

} // namespace loom
} // namespace mlir

#endif // LOOM_INITALLDIALECTS_H
