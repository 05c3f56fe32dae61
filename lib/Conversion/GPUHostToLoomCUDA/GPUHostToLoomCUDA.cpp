//===- GPUHostToLoomCUDA.cpp - convert-gpu-host-to-loom-cuda --------------===//
//
// The host side of loom-gpu-pipeline's output to the LLVM dialect, with its
// GPU operations as calls of Loom's CUDA host runtime
// (include/loom/Target/CUDA/HostRuntime.h): launches, device allocations,
// copies to the host and the device copies of constant globals.
//
// Precondition: host code after lower-affine, convert-scf-to-cf and
// expand-strided-metadata; synchronous GPU ops only.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/LLVMCommon/ConversionTarget.h"
#include "mlir/Conversion/LLVMCommon/MemRefBuilder.h"
#include "mlir/Conversion/LLVMCommon/Pattern.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace loom {
#define GEN_PASS_DEF_CONVERTGPUHOSTTOLOOMCUDA
#include "loom/Conversion/Passes.h.inc"
} // namespace loom
} // namespace mlir

using namespace mlir;

namespace {
/// The runtime's functions, declared once in the module.
struct RuntimeFunctions {
  LLVM::LLVMFuncOp alloc, free, weight, launch, memcpy;
};

/// Indices the runtime knows kernels and weights by.
struct RuntimeIndices {
  llvm::StringMap<int32_t> kernels;
  llvm::StringMap<int32_t> weights;
};

/// gpu.launch_func -> loom_cuda_launch with the parameters in stack slots.
struct LaunchLowering : ConvertOpToLLVMPattern<gpu::LaunchFuncOp> {
  LaunchLowering(const LLVMTypeConverter &converter,
                 const RuntimeFunctions &functions,
                 const RuntimeIndices &indices)
      : ConvertOpToLLVMPattern(converter), functions(functions),
        indices(indices) {}

  LogicalResult
  matchAndRewrite(gpu::LaunchFuncOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getAsyncToken() || !op.getAsyncDependencies().empty())
      return rewriter.notifyMatchFailure(op, "asynchronous launch");
    if (op.getDynamicSharedMemorySize() || op.hasClusterSize())
      return rewriter.notifyMatchFailure(op,
                                         "dynamic shared memory or clusters");
    auto kernel = indices.kernels.find(op.getKernelModuleName().getValue());
    if (kernel == indices.kernels.end())
      return rewriter.notifyMatchFailure(op, "no gpu.binary for the kernel");
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    SmallVector<Value, 4> params = getTypeConverter()->promoteOperands(
        loc, op.getKernelOperands(), adaptor.getKernelOperands(), rewriter,
        /*useBarePtrCallConv=*/false);
    Type i32 = rewriter.getI32Type();
    Type i64 = rewriter.getI64Type();
    auto ptr = LLVM::LLVMPointerType::get(context);
    // The slots live only for the call, also inside host loops.
    Value stack = LLVM::StackSaveOp::create(rewriter, loc, ptr);
    Value one = LLVM::ConstantOp::create(rewriter, loc, i64, 1);
    Value count = LLVM::ConstantOp::create(rewriter, loc, i64,
                                           std::max<int64_t>(1, params.size()));
    Value array = LLVM::AllocaOp::create(rewriter, loc, ptr, ptr, count);
    for (auto [i, param] : llvm::enumerate(params)) {
      Value slot =
          LLVM::AllocaOp::create(rewriter, loc, ptr, param.getType(), one);
      LLVM::StoreOp::create(rewriter, loc, param, slot);
      Value entry = LLVM::GEPOp::create(rewriter, loc, ptr, ptr, array,
                                        ArrayRef<LLVM::GEPArg>{(int32_t)i});
      LLVM::StoreOp::create(rewriter, loc, slot, entry);
    }
    Value index = LLVM::ConstantOp::create(rewriter, loc, i32, kernel->second);
    SmallVector<Value> operands = {index,
                                   adaptor.getGridSizeX(),
                                   adaptor.getGridSizeY(),
                                   adaptor.getGridSizeZ(),
                                   adaptor.getBlockSizeX(),
                                   adaptor.getBlockSizeY(),
                                   adaptor.getBlockSizeZ(),
                                   array};
    LLVM::CallOp::create(rewriter, loc, functions.launch, operands);
    LLVM::StackRestoreOp::create(rewriter, loc, stack);
    rewriter.eraseOp(op);
    return success();
  }

  const RuntimeFunctions &functions;
  const RuntimeIndices &indices;
};

/// gpu.alloc -> loom_cuda_alloc(bytes) as a fresh descriptor.
struct AllocLowering : ConvertOpToLLVMPattern<gpu::AllocOp> {
  AllocLowering(const LLVMTypeConverter &converter,
                const RuntimeFunctions &functions)
      : ConvertOpToLLVMPattern(converter), functions(functions) {}

  LogicalResult
  matchAndRewrite(gpu::AllocOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<MemRefType>(op.getMemref().getType());
    if (op.getAsyncToken() || op.getHostShared() ||
        !type.getLayout().isIdentity() || !op.getSymbolOperands().empty())
      return rewriter.notifyMatchFailure(
          op, "asynchronous, host-shared or non-identity allocation");
    Location loc = op.getLoc();
    SmallVector<Value, 4> sizes, strides;
    Value bytes;
    getMemRefDescriptorSizes(loc, type, adaptor.getDynamicSizes(), rewriter,
                             sizes, strides, bytes);
    Value pointer =
        LLVM::CallOp::create(rewriter, loc, functions.alloc, bytes).getResult();
    rewriter.replaceOp(op, {createMemRefDescriptor(loc, type, pointer, pointer,
                                                   sizes, strides, rewriter)});
    return success();
  }

  const RuntimeFunctions &functions;
};

/// gpu.dealloc -> loom_cuda_free(allocated pointer).
struct DeallocLowering : ConvertOpToLLVMPattern<gpu::DeallocOp> {
  DeallocLowering(const LLVMTypeConverter &converter,
                  const RuntimeFunctions &functions)
      : ConvertOpToLLVMPattern(converter), functions(functions) {}

  LogicalResult
  matchAndRewrite(gpu::DeallocOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getAsyncToken())
      return rewriter.notifyMatchFailure(op, "asynchronous deallocation");
    MemRefDescriptor descriptor(adaptor.getMemref());
    Value pointer = descriptor.allocatedPtr(rewriter, op.getLoc());
    LLVM::CallOp::create(rewriter, op.getLoc(), functions.free, pointer);
    rewriter.eraseOp(op);
    return success();
  }

  const RuntimeFunctions &functions;
};

/// gpu.memcpy of contiguous static buffers -> loom_cuda_memcpy.
struct MemcpyLowering : ConvertOpToLLVMPattern<gpu::MemcpyOp> {
  MemcpyLowering(const LLVMTypeConverter &converter,
                 const RuntimeFunctions &functions)
      : ConvertOpToLLVMPattern(converter), functions(functions) {}

  LogicalResult
  matchAndRewrite(gpu::MemcpyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto srcType = cast<MemRefType>(op.getSrc().getType());
    auto dstType = cast<MemRefType>(op.getDst().getType());
    if (op.getAsyncToken() ||
        !memref::isStaticShapeAndContiguousRowMajor(srcType) ||
        !memref::isStaticShapeAndContiguousRowMajor(dstType))
      return rewriter.notifyMatchFailure(
          op, "asynchronous copy or non-contiguous buffers");
    Location loc = op.getLoc();
    Type elementType = typeConverter->convertType(srcType.getElementType());
    auto address = [&](Value descriptor) -> Value {
      MemRefDescriptor memref(descriptor);
      return LLVM::GEPOp::create(
          rewriter, loc, getPtrType(), elementType,
          memref.alignedPtr(rewriter, loc),
          ArrayRef<LLVM::GEPArg>{memref.offset(rewriter, loc)});
    };
    Value elementBytes =
        getSizeInBytes(loc, srcType.getElementType(), rewriter);
    Value count = createIndexAttrConstant(rewriter, loc, getIndexType(),
                                          srcType.getNumElements());
    Value bytes = LLVM::MulOp::create(rewriter, loc, elementBytes, count);
    LLVM::CallOp::create(rewriter, loc, functions.memcpy,
                         ValueRange{address(adaptor.getDst()),
                                    address(adaptor.getSrc()), bytes});
    rewriter.eraseOp(op);
    return success();
  }

  const RuntimeFunctions &functions;
};

/// memref.get_global of a constant -> the device copy the runtime uploads.
struct GetGlobalLowering : ConvertOpToLLVMPattern<memref::GetGlobalOp> {
  GetGlobalLowering(const LLVMTypeConverter &converter,
                    const RuntimeFunctions &functions,
                    const RuntimeIndices &indices)
      : ConvertOpToLLVMPattern(converter, /*benefit=*/2), functions(functions),
        indices(indices) {}

  LogicalResult
  matchAndRewrite(memref::GetGlobalOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto weight = indices.weights.find(op.getName());
    auto type = cast<MemRefType>(op.getType());
    if (weight == indices.weights.end() || !type.hasStaticShape() ||
        !type.getLayout().isIdentity())
      return rewriter.notifyMatchFailure(op, "not a constant weight");
    Location loc = op.getLoc();
    Type i32 = rewriter.getI32Type();
    Value host =
        LLVM::AddressOfOp::create(rewriter, loc, getPtrType(), op.getName());
    SmallVector<Value, 4> sizes, strides;
    Value bytes;
    getMemRefDescriptorSizes(loc, type, ValueRange(), rewriter, sizes, strides,
                             bytes);
    Value index = LLVM::ConstantOp::create(rewriter, loc, i32, weight->second);
    Value device = LLVM::CallOp::create(rewriter, loc, functions.weight,
                                        ValueRange{index, host, bytes})
                       .getResult();
    rewriter.replaceOp(op, {createMemRefDescriptor(loc, type, device, device,
                                                   sizes, strides, rewriter)});
    return success();
  }

  const RuntimeFunctions &functions;
  const RuntimeIndices &indices;
};

struct GPUHostToLoomCUDAPass
    : loom::impl::ConvertGPUHostToLoomCUDABase<GPUHostToLoomCUDAPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();

    RuntimeIndices indices;
    for (Operation &op : module.getBody()->getOperations()) {
      if (auto binary = dyn_cast<gpu::BinaryOp>(op))
        indices.kernels.try_emplace(binary.getName(), indices.kernels.size());
      else if (auto kernels = dyn_cast<gpu::GPUModuleOp>(op))
        indices.kernels.try_emplace(kernels.getName(), indices.kernels.size());
    }
    // Only the globals the host reads are weights; mutable ones cannot be
    // uploaded once.
    bool failedGlobals = false;
    module.walk([&](memref::GetGlobalOp get) {
      if (get->getParentOfType<gpu::GPUModuleOp>())
        return;
      auto global = module.lookupSymbol<memref::GlobalOp>(get.getName());
      if (!global || !global.getConstant()) {
        get.emitOpError("reads a mutable global; the CUDA target uploads "
                        "only constants, once per loaded model");
        failedGlobals = true;
        return;
      }
      if (indices.weights.try_emplace(get.getName(), indices.weights.size())
              .second)
        ++numWeights;
    });
    if (failedGlobals)
      return signalPassFailure();

    // The runtime's declarations (HostRuntime.h).
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    Location loc = module.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(context);
    Type i32 = builder.getI32Type();
    Type i64 = builder.getI64Type();
    Type voidType = LLVM::LLVMVoidType::get(context);
    auto declare = [&](StringRef name, Type result,
                       ArrayRef<Type> params) -> LLVM::LLVMFuncOp {
      if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
        return existing;
      return LLVM::LLVMFuncOp::create(
          builder, loc, name, LLVM::LLVMFunctionType::get(result, params));
    };
    RuntimeFunctions functions;
    functions.alloc = declare("loom_cuda_alloc", ptr, {i64});
    functions.free = declare("loom_cuda_free", voidType, {ptr});
    functions.weight = declare("loom_cuda_weight", ptr, {i32, ptr, i64});
    functions.launch = declare("loom_cuda_launch", voidType,
                               {i32, i64, i64, i64, i64, i64, i64, ptr});
    functions.memcpy = declare("loom_cuda_memcpy", voidType, {ptr, ptr, i64});

    LLVMTypeConverter converter(context);
    RewritePatternSet patterns(context);
    populateFuncToLLVMConversionPatterns(converter, patterns);
    populateFinalizeMemRefToLLVMConversionPatterns(converter, patterns);
    arith::populateArithToLLVMConversionPatterns(converter, patterns);
    cf::populateControlFlowToLLVMConversionPatterns(converter, patterns);
    index::populateIndexToLLVMConversionPatterns(converter, patterns);
    populateMathToLLVMConversionPatterns(converter, patterns);
    patterns.add<LaunchLowering, GetGlobalLowering>(converter, functions,
                                                    indices);
    patterns.add<AllocLowering, DeallocLowering, MemcpyLowering>(converter,
                                                                 functions);
    LLVMConversionTarget target(*context);
    target.addLegalOp<ModuleOp, gpu::BinaryOp>();
    target.addLegalOp<gpu::GPUModuleOp>();
    target.markOpRecursivelyLegal<gpu::GPUModuleOp>();
    module.walk([&](gpu::LaunchFuncOp) { ++numLaunches; });
    if (failed(applyFullConversion(module, target, std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
