//===- KernelDescriptions.cpp - What the host knows of each kernel --------===//
//
// CUDAKernel descriptions from the NVVM-level module: the kernel function of
// each outlined kernel module, its grid and block sizes where every launch
// agrees on a constant, and each parameter's C type, layout and origin (an
// input, an output, a weight, a temporary, a constant). Parameters are read
// from the first launch; later launches only refine the sizes and counts.
//
//===----------------------------------------------------------------------===//

#include "KernelDescriptions.h"

#include "loom/Support/Errors.h"
#include "loom/Target/CPU/CPUTarget.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;
using namespace mlir::loom;

/// The C type kernels.h declares a scalar or buffer element of `type` as.
static std::string getCType(Type type) {
  if (isa<IndexType>(type))
    return "int64_t";
  if (type.isF32())
    return "float";
  if (type.isF64())
    return "double";
  if (type.isF16() || type.isBF16())
    return "uint16_t";
  if (type.isInteger(1))
    return "bool";
  if (auto integer = dyn_cast<IntegerType>(type))
    return "int" + std::to_string(integer.getWidth()) + "_t";
  return "void";
}

/// The size of a buffer of `type` in bytes; -1 where it is dynamic.
static int64_t getStaticBytes(MemRefType type) {
  if (!type.hasStaticShape())
    return -1;
  return type.getNumElements() * static_cast<int64_t>(llvm::divideCeil(
                                     type.getElementTypeBitWidth(), 8));
}

/// What the host passes as buffer `value`, in words.
static std::string describeBuffer(Value value, const ModelManifest &manifest) {
  std::string prefix;
  for (int depth = 0; depth < 16; ++depth) {
    if (auto argument = dyn_cast<BlockArgument>(value)) {
      if (isa<func::FuncOp>(argument.getOwner()->getParentOp()) &&
          argument.getOwner()->isEntryBlock()) {
        size_t i = argument.getArgNumber();
        size_t numInputs = manifest.inputs.size();
        if (i < numInputs)
          return prefix + "input " + std::to_string(i) + " " +
                 quoteCString(manifest.inputs[i].name);
        if (i - numInputs < manifest.outputs.size())
          return prefix + "output " + std::to_string(i - numInputs) + " " +
                 quoteCString(manifest.outputs[i - numInputs].name);
      }
      return prefix + "a buffer the host code carries through a loop";
    }
    Operation *def = value.getDefiningOp();
    if (auto alloc = dyn_cast<gpu::AllocOp>(def)) {
      int64_t bytes = getStaticBytes(cast<MemRefType>(alloc.getType()));
      return prefix + "a temporary (" +
             (bytes >= 0 ? std::to_string(bytes) + " bytes"
                         : std::string("size computed by the host")) +
             ") the host allocates for the call";
    }
    if (auto global = dyn_cast<memref::GetGlobalOp>(def)) {
      int64_t bytes = getStaticBytes(global.getType());
      return prefix + "the weight @" + global.getName().str() + " (" +
             std::to_string(bytes) + " bytes, uploaded once)";
    }
    if (auto view = dyn_cast<ViewLikeOpInterface>(def)) {
      if (prefix.empty())
        prefix = "a view of ";
      value = view.getViewSource();
      continue;
    }
    return prefix + "a buffer the host code selects at run time";
  }
  return prefix + "a view";
}

/// The kernel function of `gpuModule` (outlining makes one per module);
/// empty if there is none.
static std::string getKernelFunctionName(gpu::GPUModuleOp gpuModule) {
  std::string name;
  gpuModule.walk([&](Operation *op) {
    auto symbol = dyn_cast<SymbolOpInterface>(op);
    if (symbol && op->hasAttr(gpu::GPUDialect::getKernelFuncAttrName()))
      name = symbol.getName().str();
  });
  return name;
}

/// Merges the grid and block sizes of one more launch into `kernel`'s.
static void addLaunchSizes(CUDAKernel &kernel, gpu::LaunchFuncOp launch) {
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  Value sizes[] = {grid.x, grid.y, grid.z, block.x, block.y, block.z};
  for (int i = 0; i < 6; ++i) {
    std::optional<int64_t> size = getConstantIntValue(sizes[i]);
    std::optional<int64_t> &slot = i < 3 ? kernel.grid[i] : kernel.block[i - 3];
    // Launch sites with different sizes make the size dynamic.
    slot = kernel.launchSites == 1 || slot == size ? size : std::nullopt;
  }
}

/// A buffer parameter: its element type, layout and origin.
static CUDAKernelParam describeBufferParam(Value operand, MemRefType type,
                                           const ModelManifest &manifest) {
  CUDAKernelParam param;
  param.isBuffer = true;
  param.cType = getCType(type.getElementType());
  SmallVector<int64_t> strides;
  int64_t offset;
  bool strided = succeeded(type.getStridesAndOffset(strides, offset));
  for (int64_t size : type.getShape())
    param.sizes.push_back(ShapedType::isDynamic(size)
                              ? std::nullopt
                              : std::optional<int64_t>(size));
  for (int64_t d = 0; d < type.getRank(); ++d)
    param.strides.push_back(strided && !ShapedType::isDynamic(strides[d])
                                ? std::optional<int64_t>(strides[d])
                                : std::nullopt);
  if (strided && !ShapedType::isDynamic(offset))
    param.offset = offset;
  param.origin = describeBuffer(operand, manifest);
  return param;
}

/// A scalar parameter: its C type and, where it is a constant, its value.
static CUDAKernelParam describeScalarParam(Value operand) {
  CUDAKernelParam param;
  param.cType = getCType(operand.getType());
  std::optional<int64_t> constant = getConstantIntValue(operand);
  param.origin = constant ? "the constant " + std::to_string(*constant)
                          : std::string("a value the host computes");
  return param;
}

void mlir::loom::renameKernels(ModuleOp module) {
  // Outlining names kernel functions after the host function, the same in
  // every module.
  llvm::StringMap<std::string> renamed;
  for (auto gpuModule : module.getOps<gpu::GPUModuleOp>())
    gpuModule.walk([&](Operation *op) {
      auto symbol = dyn_cast<SymbolOpInterface>(op);
      if (!symbol || !op->hasAttr(gpu::GPUDialect::getKernelFuncAttrName()))
        return;
      renamed[(gpuModule.getName() + "::" + symbol.getName()).str()] =
          gpuModule.getName().str();
      symbol.setName(gpuModule.getName());
    });
  module.walk([&](gpu::LaunchFuncOp launch) {
    StringRef kernelModule = launch.getKernelModuleName().getValue();
    auto found = renamed.find(
        (kernelModule + "::" + launch.getKernelName().getValue()).str());
    if (found == renamed.end())
      return;
    launch.setKernelAttr(SymbolRefAttr::get(
        launch.getContext(), kernelModule,
        {FlatSymbolRefAttr::get(launch.getContext(), found->second)}));
  });
}

llvm::Error mlir::loom::describeKernels(ModuleOp module,
                                        const ModelManifest &manifest,
                                        std::vector<CUDAKernel> &kernels) {
  llvm::StringMap<size_t> index;
  for (auto gpuModule : module.getOps<gpu::GPUModuleOp>()) {
    index[gpuModule.getName()] = kernels.size();
    CUDAKernel kernel;
    kernel.symbol = gpuModule.getName().str();
    kernel.function = getKernelFunctionName(gpuModule);
    kernels.push_back(std::move(kernel));
  }
  llvm::Error error = llvm::Error::success();
  module.walk([&](gpu::LaunchFuncOp launch) {
    auto found = index.find(launch.getKernelModuleName().getValue());
    if (found == index.end()) {
      error =
          makeError("a launch of @" + launch.getKernelModuleName().getValue() +
                    ", which is not a kernel module");
      return WalkResult::interrupt();
    }
    CUDAKernel &kernel = kernels[found->second];
    ++kernel.launchSites;
    if (!isa<func::FuncOp>(launch->getParentOp()))
      kernel.inHostControlFlow = true;
    addLaunchSizes(kernel, launch);
    if (kernel.launchSites > 1)
      return WalkResult::advance();
    for (Value operand : launch.getKernelOperands()) {
      if (auto type = dyn_cast<MemRefType>(operand.getType()))
        kernel.params.push_back(describeBufferParam(operand, type, manifest));
      else
        kernel.params.push_back(describeScalarParam(operand));
    }
    return WalkResult::advance();
  });
  return error;
}

CUDAWeights mlir::loom::countWeights(ModuleOp module) {
  CUDAWeights weights;
  module.walk([&](memref::GlobalOp global) {
    if (global->getParentOfType<gpu::GPUModuleOp>() || !global.getConstant())
      return;
    ++weights.count;
    int64_t bytes = getStaticBytes(global.getType());
    weights.bytes += bytes > 0 ? bytes : 0;
  });
  return weights;
}
