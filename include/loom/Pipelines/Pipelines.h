//===- Pipelines.h - Loom's named pass pipelines ----------------*- C++ -*-===//
//
// Named pipelines from loom IR on tensors to a target. Each is a plain function
// over an OpPassManager so that loomc, loom-run and loom-opt share it.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PIPELINES_PIPELINES_H
#define LOOM_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir {
namespace loom {

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<bool> resultsToOutParams{
      *this, "results-to-out-params",
      llvm::cl::desc("Return tensor results through caller-allocated buffers "
                     "(the C ABI that loom-run and compiled libraries use)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> reference{
      *this, "reference",
      llvm::cl::desc("Lower through the reference lowering and scalar loops "
                     "only (no CPU kernels, no fusion): the oracle the fast "
                     "path is tested against"),
      llvm::cl::init(false)};
};

/// loom ops on tensors -> LLVM dialect. The fast path (default) calls Loom's
/// CPU kernels (include/loom/Runtime/Kernels.h) for f32 attention and
/// contractions and fuses elementwise ops; everything else goes through the
/// reference lowering (convert-loom-to-linalg), one-shot bufferization and
/// loops. A module lowered on the fast path must be linked with the kernels
/// (loom/Target/CPU/KernelLibrary.h) before it runs.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

struct OptimizePipelineOptions
    : public PassPipelineOptions<OptimizePipelineOptions> {
  PassOptions::Option<bool> raise{
      *this, "raise",
      llvm::cl::desc("Raise decomposed attention and MoE layers to loom ops"),
      llvm::cl::init(true)};
};

/// The target-neutral stage between import and a target pipeline: raising
/// (decomposed attention -> loom.attention, router/TopK/expert gathers ->
/// loom.moe.ffn) and clean-ups. Numbers are preserved.
void buildOptimizePipeline(OpPassManager &pm,
                           const OptimizePipelineOptions &options);

/// Registers `loom-cpu-pipeline` and `loom-optimize-pipeline`.
void registerLoomPipelines();

} // namespace loom
} // namespace mlir

#endif // LOOM_PIPELINES_PIPELINES_H
