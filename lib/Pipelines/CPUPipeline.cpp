//===- CPUPipeline.cpp - loom-cpu-pipeline --------------------------------===//
//
// The CPU pipeline, in four stages: loom ops to linalg on tensors, tensors to
// buffers, kernels and loops on buffers, and everything to the LLVM dialect.
// The fast path (the default) replaces f32 attention and matmul-like ops by
// calls of Loom's CPU kernels and fuses elementwise chains; `reference=true`
// runs only the reference lowering through loops, the oracle every test checks
// the fast path against.
//
//===----------------------------------------------------------------------===//

#include "loom/Pipelines/Pipelines.h"

#include "loom/Conversion/Passes.h"
#include "loom/HLS/FixedPoint.h"
#include "loom/HLS/Passes.h"
#include "loom/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::loom;

/// loom ops on tensors to upstream ops on tensors.
static void addTensorStage(OpPassManager &pm,
                           const CPUPipelineOptions &options) {
  // The kernel takes loom.attention before the reference lowering does.
  if (!options.reference) {
    pm.addPass(createConvertLoomAttentionToCPUKernels());
    // loom.moe.ffn into router, dispatch, experts and combine, so that the
    // kernel can take the experts.
    pm.addPass(createLoomDecomposeMoE());
    pm.addPass(createConvertLoomMoEToCPUKernels());
    // f32 quantized and binary-coded matmuls read their packed weights in a
    // kernel; the reference lowering would dequantize the whole weight (or
    // recompute every byte's signed sum) on every call.
    pm.addPass(createConvertLoomQuantToCPUKernels());
  }
  // Reference semantics of every other loom op.
  pm.addPass(createConvertLoomToLinalg());
  pm.addPass(createCanonicalizerPass());
  // linalg.softmax (from the ONNX importer) into linalg.generic chains.
  pm.addNestedPass<func::FuncOp>(createLoomDecomposeAggregateOps());
  // Elementwise chains (bias, activation, residual, scale, normalisation
  // steps) become one loop nest each instead of one per op and temporary.
  if (!options.reference) {
    pm.addNestedPass<func::FuncOp>(createLoomFuseElementwise());
    // Vectorisable exp/erf/tanh instead of scalar libm calls.
    pm.addNestedPass<func::FuncOp>(createLoomApproximateMath());
    // Each matmul and reduction fills its own destination in place instead of
    // copying one shared zero-filled buffer.
    pm.addNestedPass<func::FuncOp>(createLoomDuplicateFills());
  }
}

/// Tensors to buffers with a caller-owned C ABI.
static void addBufferizationStage(OpPassManager &pm,
                                  const CPUPipelineOptions &options) {
  bufferization::OneShotBufferizePassOptions bufferize;
  // Across function boundaries with plain (identity-layout) memrefs, so the
  // ABI is a dense row-major buffer per tensor.
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // Loops that carry a cache or tensor (decode loops) may yield new buffers.
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Results become caller-allocated out-params: callers own every buffer.
  if (options.resultsToOutParams) {
    bufferization::BufferResultsToOutParamsPassOptions outParams;
    outParams.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  }
  pm.addPass(createCanonicalizerPass());
  // Free the temporaries the body allocates.
  bufferization::buildBufferDeallocationPipeline(
      pm, bufferization::BufferDeallocationPipelineOptions());
}

/// loom-hls-emulate-fixed-point with the format of `text`
/// (W,I[,rounding[,overflow]]), which checkCPUPipelineOptions has accepted.
static void addFixedPointEmulation(OpPassManager &pm, StringRef text) {
  LoomHLSEmulateFixedPointOptions pass;
  auto format = parseFixedPointFormat(text);
  if (!format) {
    // Not checked by the caller: the pass rejects a width of 0 when it runs,
    // so that the pipeline never computes in float silently.
    llvm::consumeError(format.takeError());
    pass.width = 0;
  } else {
    pass.width = format->width;
    pass.intBits = format->intBits;
    pass.rounding = format->rounding;
    pass.overflow = format->overflow;
  }
  pm.addPass(createLoomHLSEmulateFixedPoint(pass));
}

/// Buffers to kernel calls and loops.
static void addLoopStage(OpPassManager &pm, const CPUPipelineOptions &options) {
  // Strided copies (tensor.concat, insert_slice) as loops, not memrefCopy.
  pm.addNestedPass<func::FuncOp>(createLoomCopiesToLinalg());
  // After deallocation, so that each call stands where its op stood.
  if (options.reference) {
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
    // Loop IR, as the HLS pipeline has it: the same values as ap_fixed.
    if (!options.fixedPoint.empty())
      addFixedPointEmulation(pm, options.fixedPoint);
    return;
  }
  pm.addPass(createConvertLinalgToCPUKernels());
  // The remaining linalg ops (elementwise chains, normalisations, softmax,
  // transposes) as scf.parallel nests; the large ones run on the thread pool.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createConvertParallelLoopsToCPUPool());
}

/// Loops and memrefs to the LLVM dialect.
static void addLLVMStage(OpPassManager &pm, const CPUPipelineOptions &options) {
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // The fast path allocates through the kernel library's per-thread cache of
  // freed blocks (Allocator.c); the reference path calls malloc/free.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = !options.reference;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  // convert-math-to-libm turns what convert-math-to-llvm leaves (math.erf
  // from ONNX Gelu/Erf, ...) into libm calls.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::loom::buildCPUPipeline(OpPassManager &pm,
                                  const CPUPipelineOptions &options) {
  addTensorStage(pm, options);
  addBufferizationStage(pm, options);
  addLoopStage(pm, options);
  addLLVMStage(pm, options);
}

llvm::Error
mlir::loom::checkCPUPipelineOptions(const CPUPipelineOptions &options) {
  if (options.fixedPoint.empty())
    return llvm::Error::success();
  if (!options.reference)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "fixed-point needs reference=true: the fast path's kernels and fused "
        "loops do not compute in the HLS code's order");
  auto format = parseFixedPointFormat(options.fixedPoint);
  if (!format)
    return format.takeError();
  return llvm::Error::success();
}

void mlir::loom::registerLoomPipelines() {
  // Registered without PassPipelineRegistration so that invalid options
  // are errors before anything runs.
  registerPassPipeline(
      "loom-cpu-pipeline",
      "Lower loom IR on tensors to the LLVM dialect for the host CPU",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        CPUPipelineOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        if (llvm::Error e = checkCPUPipelineOptions(options))
          return errorHandler("loom-cpu-pipeline: " +
                              llvm::toString(std::move(e)));
        buildCPUPipeline(pm, options);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> optionHandler) {
        optionHandler(CPUPipelineOptions());
      });
  // Registered without PassPipelineRegistration so that invalid options
  // are errors before anything runs.
  registerPassPipeline(
      "loom-gpu-pipeline",
      "Lower loom IR on tensors to NVIDIA GPU kernels (cubin or PTX) and a "
      "host function that launches them",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        GPUPipelineOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        if (llvm::Error e = checkGPUPipelineOptions(options))
          return errorHandler("loom-gpu-pipeline: " +
                              llvm::toString(std::move(e)));
        buildGPUPipeline(pm, options);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> optionHandler) {
        optionHandler(GPUPipelineOptions());
      });
}
