//===- HLSPipeline.cpp - loom-hls-pipeline --------------------------------===//
//
// The HLS pipeline, in stages: loom ops on tensors to linalg (the reference
// lowering: the same stages as `loom-cpu-pipeline{reference=true}`, so both
// compute in the same order), tensors to static local buffers, loops, HLS
// directives, and EmitC for `loom-translate --emit-hls-cpp`. docs/HLS.md.
//
//===----------------------------------------------------------------------===//

#include "loom/Pipelines/Pipelines.h"

#include "loom/Conversion/Passes.h"
#include "loom/HLS/Passes.h"
#include "loom/HLS/Precision.h"
#include "loom/Support/Errors.h"
#include "loom/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::loom;

llvm::Error
mlir::loom::checkHLSPipelineOptions(const HLSPipelineOptions &options) {
  llvm::Expected<HLSPrecision> precision = HLSPrecision::parse(
      options.precision, options.rounding, options.overflow);
  if (!precision)
    return precision.takeError();
  if (options.ii < 1)
    return makeError("ii must be at least 1");
  return llvm::Error::success();
}

void mlir::loom::buildHLSLoopPipeline(OpPassManager &pm,
                                      const HLSPipelineOptions &options) {
  LoomHLSSetPrecisionOptions precision;
  precision.precision = options.precision;
  precision.rounding = options.rounding;
  precision.overflow = options.overflow;
  pm.addPass(createLoomHLSSetPrecision(precision));
  // Hardware forms first: streaming attention, shift-add products as
  // shifts, BCQ as table lookups (docs/HLSOps.md).
  pm.addPass(createConvertLoomToHLS());
  // Reference semantics of every other loom op.
  pm.addPass(createConvertLoomToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createLoomDecomposeAggregateOps());
  // Buffers across function boundaries with identity layouts: each tensor
  // argument or result is one array port; results are out-params.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  // No heap: every temporary is a local array (BRAM, LUTRAM or registers).
  pm.addPass(createLoomHLSLocalBuffers());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Reshaped views (expand/collapse_shape) folded into the indices of the
  // loads and stores of their buffer: C++ arrays have no views.
  pm.addPass(memref::createFoldMemRefAliasOpsPass());
  pm.addPass(createLowerAffinePass());
  // The index arithmetic is on non-negative loop indices: unsigned (size_t).
  pm.addPass(arith::createArithUnsignedWhenEquivalentPass());
  pm.addPass(createCanonicalizerPass());
  // PIPELINE on innermost loops, UNROLL and the matching ARRAY_PARTITION,
  // the top function's interfaces.
  LoomHLSDirectivesOptions directives;
  directives.ii = options.ii;
  directives.unroll = options.unroll;
  pm.addPass(createLoomHLSDirectives(directives));
  // Consecutive layers as DATAFLOW stages with on-chip channels.
  if (options.dataflow)
    pm.addPass(createLoomHLSDataflow());
}

void mlir::loom::buildHLSPipeline(OpPassManager &pm,
                                  const HLSPipelineOptions &options) {
  buildHLSLoopPipeline(pm, options);
  pm.addPass(createConvertHLSLoopsToEmitC());
}

void mlir::loom::registerLoomHLSPipeline() {
  // Registered without PassPipelineRegistration so that invalid options
  // are errors before anything runs.
  registerPassPipeline(
      "loom-hls-pipeline",
      "Lower loom IR on tensors to EmitC for HLS C++ (loom-translate "
      "--emit-hls-cpp prints it)",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        HLSPipelineOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        if (llvm::Error e = checkHLSPipelineOptions(options))
          return errorHandler("loom-hls-pipeline: " +
                              llvm::toString(std::move(e)));
        buildHLSPipeline(pm, options);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> optionHandler) {
        optionHandler(HLSPipelineOptions());
      });
}
