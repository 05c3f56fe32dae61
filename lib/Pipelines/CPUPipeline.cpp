//===- CPUPipeline.cpp - loom-cpu-pipeline
//---------------------------------===//
//
// The CPU pipeline. Today it runs the reference lowering through loops; the
// fast CPU lowerings (tiled attention, vectorised GEMMs) slot in before
// convert-loom-to-linalg and are checked against this path.
//
//===----------------------------------------------------------------------===//

#include "loom/Pipelines/Pipelines.h"

#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::loom;

namespace {
LogicalResult appendPipeline(OpPassManager &pm, StringRef pipeline) {
  std::string error;
  llvm::raw_string_ostream errorStream(error);
  if (failed(parsePassPipeline(pipeline, pm, errorStream)))
    llvm::report_fatal_error(llvm::Twine("loom-cpu-pipeline is malformed: ") +
                             error);
  return success();
}
} // namespace

void mlir::loom::buildCPUPipeline(OpPassManager &pm,
                                  const CPUPipelineOptions &options) {
  std::string pipeline;
  llvm::raw_string_ostream os(pipeline);
  // Reference semantics of every loom op on tensors.
  (void)appendPipeline(pm, "convert-loom-to-linalg,canonicalize");
  // linalg.softmax (from the ONNX importer) into linalg.generic chains.
  pm.addNestedPass<func::FuncOp>(createLoomDecomposeAggregateOps());
  // Tensors to buffers across function boundaries with plain (identity-layout)
  // memrefs, so the ABI is a dense row-major buffer per tensor.
  // Loops that carry a cache or tensor (decode loops) may yield new buffers.
  os << "one-shot-bufferize{bufferize-function-boundaries "
        "allow-return-allocs-from-loops "
        "function-boundary-type-conversion=identity-layout-map},";
  // Results become caller-allocated out-params: callers own every buffer.
  if (options.resultsToOutParams)
    os << "buffer-results-to-out-params{"
          "modify-public-functions=true},";
  os << "canonicalize,";
  // Free the temporaries the body allocates.
  os << "buffer-deallocation-pipeline";
  (void)appendPipeline(pm, pipeline);
  // Strided copies (tensor.concat, insert_slice) as loops, not memrefCopy.
  pm.addNestedPass<func::FuncOp>(createLoomCopiesToLinalg());
  // Loops and memrefs down to the LLVM dialect. convert-math-to-libm turns
  // what convert-math-to-llvm leaves (math.erf from ONNX Gelu/Erf, ...) into
  // libm calls.
  (void)appendPipeline(
      pm, "func.func(convert-linalg-to-loops),"
          "lower-affine,convert-scf-to-cf,expand-strided-metadata,lower-affine,"
          "finalize-memref-to-llvm,convert-math-to-llvm,convert-math-to-libm,"
          "convert-arith-to-llvm,convert-func-to-llvm,convert-cf-to-llvm,"
          "reconcile-unrealized-casts");
}

void mlir::loom::registerLoomPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "loom-cpu-pipeline",
      "Lower loom IR on tensors to the LLVM dialect for the host CPU",
      buildCPUPipeline);
  PassPipelineRegistration<OptimizePipelineOptions>(
      "loom-optimize-pipeline",
      "Target-neutral optimisation of imported IR: raising and clean-ups",
      buildOptimizePipeline);
}
