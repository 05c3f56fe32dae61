//===- GPUPipeline.cpp - loom-gpu-pipeline --------------------------------===//
//
// The GPU pipeline, in five stages after upstream's GPUToNVVMPipeline: loom
// ops to linalg on tensors, tensors to buffers, loops to kernels (one
// gpu.launch per parallel loop nest, one thread per element), kernels to the
// NVVM dialect, and kernels to cubin or PTX through gpu-module-to-binary. The
// host function stays on memrefs (gpu.launch_func, gpu.alloc, gpu.dealloc);
// lib/Target/CUDA lowers it onto Loom's CUDA host runtime. docs/GPU.md
// describes the design and its limits.
//
//===----------------------------------------------------------------------===//

#include "loom/Pipelines/Pipelines.h"

#include "loom/Conversion/Passes.h"
#include "loom/Support/Errors.h"
#include "loom/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/Transforms/OptimizeForNVVM.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Utils.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"

#ifndef LOOM_DEFAULT_CUDA_PATH
#define LOOM_DEFAULT_CUDA_PATH ""
#endif

using namespace mlir;
using namespace mlir::loom;

std::string mlir::loom::getCUDAToolkitPath(llvm::StringRef cudaPath) {
  if (!cudaPath.empty())
    return cudaPath.str();
  // $CUDA_ROOT, $CUDA_HOME, $CUDA_PATH, then the toolkit MLIR was built with.
  llvm::StringRef fromEnvironment = NVVM::getCUDAToolkitPath();
  if (!fromEnvironment.empty())
    return fromEnvironment.str();
  return LOOM_DEFAULT_CUDA_PATH;
}

llvm::Error
mlir::loom::checkGPUPipelineOptions(const GPUPipelineOptions &options) {
  llvm::StringRef arch = options.gpuArch;
  llvm::StringRef digits = arch;
  unsigned sm = 0;
  bool isSM = digits.consume_front("sm_");
  // Architecture-specific (sm_90a) and family (sm_100f) variants.
  if (!digits.consume_back("a"))
    digits.consume_back("f");
  if (!isSM || digits.getAsInteger(10, sm) || sm < 20)
    return makeError("gpu-arch '" + arch +
                     "' is not an NVIDIA GPU architecture (expected sm_<N>, "
                     "N >= 20, such as sm_80 or sm_90)");
  llvm::StringRef format = options.format;
  if (format != "bin" && format != "isa" && format != "fatbin" &&
      format != "none")
    return makeError("format '" + format +
                     "' is not one of bin, isa, fatbin or none");
  if (options.blockSize < 1 || options.blockSize > 1024)
    return makeError("block-size " + llvm::Twine(options.blockSize) +
                     " is not a CUDA block size (1 to 1024 threads)");
  if (options.dtype != "f32" && options.dtype != "f16" &&
      options.dtype != "bf16")
    return makeError("dtype '" + options.dtype +
                     "' is not one of f32, f16 or bf16");
  if (options.optLevel > 3)
    return makeError("opt-level " + llvm::Twine(options.optLevel) +
                     " is not an optimisation level (0 to 3)");
  // gpu-module-to-binary would report a missing directory, then take ptxas
  // from PATH and succeed: a mistyped path must not go unnoticed.
  if (!options.cudaPath.empty() &&
      !llvm::sys::fs::is_directory(options.cudaPath))
    return makeError("cuda-path '" + options.cudaPath +
                     "' is not a directory (expected a CUDA toolkit with "
                     "bin/ptxas)");
  return llvm::Error::success();
}

/// loom ops on tensors to upstream ops on tensors.
static void addTensorStage(OpPassManager &pm,
                           const GPUPipelineOptions &options) {
  // Reference semantics of every loom op: the GPU has no hand-written
  // kernels yet.
  pm.addPass(createConvertLoomToLinalg());
  pm.addPass(createCanonicalizerPass());
  // linalg.softmax (from the ONNX importer) into linalg.generic chains.
  pm.addNestedPass<func::FuncOp>(createLoomDecomposeAggregateOps());
  // Elementwise chains become one linalg.generic each, so one kernel each
  // instead of one kernel and one temporary per op (named elementwise ops
  // such as linalg.add are generalized first, so that fusion sees them).
  if (!options.reference) {
    pm.addNestedPass<func::FuncOp>(createLinalgGeneralizeNamedOpsPass());
    pm.addNestedPass<func::FuncOp>(createLoomFuseElementwise());
  }
  // Half-precision storage between kernels, f32 arithmetic in them.
  if (options.dtype != "f32") {
    if (options.reference)
      pm.addNestedPass<func::FuncOp>(createLinalgGeneralizeNamedOpsPass());
    LoomNarrowFloatStorageOptions narrow;
    narrow.dtype = options.dtype;
    pm.addNestedPass<func::FuncOp>(createLoomNarrowFloatStorage(narrow));
  }
}

/// Tensors to buffers with a caller-owned ABI, as on the CPU.
static void addBufferizationStage(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Results become caller-allocated out-params: callers own every buffer
  // (in GPU memory, for the device entry point).
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  // Ownership-based deallocation up to bufferization.dealloc ops, which
  // loom-gpu-device-buffers lowers once the buffers are GPU memory (upstream
  // lower-deallocations would build its alias lists in buffers).
  pm.addPass(memref::createExpandReallocPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(bufferization::createOwnershipBasedBufferDeallocationPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(bufferization::createBufferDeallocationSimplificationPass());
}

/// Loops on buffers to gpu.launch ops; the host keeps only addresses.
static void addKernelStage(OpPassManager &pm,
                           const GPUPipelineOptions &options) {
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  // A copy is a kernel like any other loop nest: the host cannot memcpy
  // between GPU buffers through memref.copy.
  LoomCopiesToLinalgOptions copies;
  copies.allCopies = true;
  fpm.addPass(createLoomCopiesToLinalg(copies));
  // Parallel dimensions become one scf.parallel, reductions scf.for inside
  // it (so reduction dimensions go innermost first): one thread per output
  // element.
  fpm.addPass(createLoomSinkReductionDims());
  // Fast path: a warp per output element of reductions over the innermost
  // dimension (warp shuffles combine the lanes' partial results).
  if (!options.reference) {
    ConvertLinalgReductionsToGPUOptions warps;
    warps.warpsPerBlock = std::max(1u, options.blockSize / 32);
    fpm.addPass(createConvertLinalgReductionsToGPU(warps));
  }
  fpm.addPass(createConvertLinalgToParallelLoopsPass());
  // One dimension per loop, tiled into blocks of `blockSize` threads with a
  // bound check (no min/max bounds, so the block size is a constant).
  fpm.addPass(createLoomCollapseParallelLoops());
  fpm.addPass(createParallelLoopTilingPass({options.blockSize},
                                           /*noMinMaxBounds=*/true));
  // The outer loop to blocks, the inner one to threads.
  fpm.addPass(createGpuMapParallelLoopsPass());
  fpm.addPass(createConvertParallelLoopToGpuPass());
  // What still touches buffers outside kernels runs in one-thread kernels;
  // then every host allocation and deallocation is of GPU memory.
  fpm.addPass(createConvertSerialCodeToGPU());
  fpm.addPass(createLoomGPUDeviceBuffers());
  fpm.addPass(createLowerAffinePass());
  fpm.addPass(createCanonicalizerPass());
  fpm.addPass(createCSEPass());
}

/// Kernels to gpu.module ops in the NVVM dialect.
static void addNVVMStage(OpPassManager &pm, const GPUPipelineOptions &options) {
  // Constants and index arithmetic into the kernels rather than kernel
  // arguments; then one gpu.module per kernel, so each has its own cubin.
  pm.addNestedPass<func::FuncOp>(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  // The host constants the kernels took over.
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.gpuArch;
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createStripDebugInfoPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createLoomExpandSubgroupReduce());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 64;
  kernels.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  // What has no libdevice function (math.absi, math.ctlz, ...) as LLVM
  // intrinsics, which the NVPTX back end implements.
  kernels.addPass(createConvertMathToLLVMPass());
  kernels.addPass(LLVM::createNVVMOptimizeForTargetPass());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
}

/// Kernels to cubin or PTX.
static void addBinaryStage(OpPassManager &pm,
                           const GPUPipelineOptions &options) {
  if (options.format == "none")
    return;
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath = getCUDAToolkitPath(options.cudaPath);
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void mlir::loom::buildGPUKernelPipeline(OpPassManager &pm,
                                        const GPUPipelineOptions &options) {
  addTensorStage(pm, options);
  addBufferizationStage(pm);
  addKernelStage(pm, options);
}

void mlir::loom::buildGPUPipeline(OpPassManager &pm,
                                  const GPUPipelineOptions &options) {
  buildGPUKernelPipeline(pm, options);
  addNVVMStage(pm, options);
  addBinaryStage(pm, options);
}
