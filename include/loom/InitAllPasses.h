//===- InitAllPasses.h - Loom pass registration -----------------*- C++ -*-===//
//
// One place that registers every pass and pipeline a Loom tool offers: all
// upstream passes plus Loom's conversions, transforms and pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_INITALLPASSES_H
#define LOOM_INITALLPASSES_H

#include "loom/Conversion/Passes.h"
#include "loom/HLS/Passes.h"
#include "loom/Pipelines/Pipelines.h"
#include "loom/Pruning/Passes.h"
#include "loom/Quantization/Passes.h"
#include "loom/Transforms/Passes.h"
#include "mlir/InitAllPasses.h"

namespace mlir {
namespace loom {

/// Registers Loom's own passes and pipelines.
inline void registerLoomPasses() {
  registerLoomConversionPasses();
  registerLoomTransformsPasses();
  registerLoomQuantizationPasses();
  registerLoomPruningPasses();
  registerLoomHLSPasses();
  registerLoomPipelines();
  registerLoomHLSPipeline();
  registerLoomOptimizePipeline();
}

/// Registers every upstream pass plus Loom's.
inline void registerAllPasses() {
  mlir::registerAllPasses();
  registerLoomPasses();
}

} // namespace loom
} // namespace mlir

#endif // LOOM_INITALLPASSES_H
