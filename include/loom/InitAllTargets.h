//===- InitAllTargets.h - Loom target registration --------------*- C++ -*-===//
//
// One place that registers every target loomc can compile for.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_INITALLTARGETS_H
#define LOOM_INITALLTARGETS_H

#include "loom/Target/CPU/CPUTarget.h"
#include "loom/Target/CUDA/CUDATarget.h"
#include "loom/Target/HLSCpp/HLSTarget.h"
#include "loom/Target/TargetBackend.h"

namespace mlir {
namespace loom {

/// Registers the `cpu`, `cuda` and `hls` targets (again: a no-op).
inline void registerAllTargetBackends() {
  registerTargetBackend(createCPUTargetBackend());
  registerTargetBackend(createCUDATargetBackend());
  registerTargetBackend(createHLSTargetBackend());
}

} // namespace loom
} // namespace mlir

#endif // LOOM_INITALLTARGETS_H
