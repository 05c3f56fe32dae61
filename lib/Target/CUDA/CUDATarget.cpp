//===- CUDATarget.cpp - The `cuda` target of loomc ------------------------===//
//
// loom IR on tensors -> loom-gpu-pipeline up to NVVM -> every kernel to PTX
// and to a cubin (gpu-module-to-binary, twice) -> the host function to LLVM
// IR on the CUDA host runtime (convert-gpu-host-to-loom-cuda) -> the runtime's
// bitcode linked in, the model's descriptor (kernel images, buffer sizes)
// and the C entry points added -> host object -> model.so, linked with the C
// compiler driver like the CPU target's libraries.
//
// Entry points of model.so (NAME = --name):
//
//   int32_t NAME_run(const T0 *in0, ..., U0 *out0, ...);           host buffers
//   int32_t NAME_run_packed(void **args);
//   int32_t NAME_run_device(const T0 *in0, ..., U0 *out0, ..., void *stream);
//   int32_t NAME_run_device_packed(void **args, void *stream);
//   const char *NAME_error_message(int32_t code);
//   const char *NAME_last_error(void);
//   int32_t NAME_abi_version(void);
//
//===----------------------------------------------------------------------===//

#include "loom/Target/CUDA/CUDATarget.h"
#include "loom/Target/CUDA/HostRuntime.h"

#include "loom/Conversion/Passes.h"
#include "loom/Pipelines/Pipelines.h"
#include "loom/Runtime/RuntimeErrors.h"
#include "loom/Support/Errors.h"
#include "loom/Target/CPU/CPUTarget.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace mlir::loom;

static constexpr llvm::StringLiteral kDefaultGPUArch = "sm_90";

/// loom-gpu-pipeline's options for loomc's.
static void setPipelineOptions(GPUPipelineOptions &pipeline,
                               const TargetOptions &options) {
  pipeline.gpuArch =
      options.gpuArch.empty() ? kDefaultGPUArch.str() : options.gpuArch;
  pipeline.reference = options.reference;
  pipeline.cudaPath = options.cudaPath;
  if (!options.dtype.empty())
    pipeline.dtype = options.dtype;
}

static CPUTargetOptions getHostOptions(const TargetOptions &options) {
  CPUTargetOptions host;
  host.optLevel = options.optLevel;
  host.cpu = options.cpu;
  return host;
}

/// The symbols model.so exports beyond the manifest's common ones.
struct CUDASymbols {
  std::string runDevice, runDevicePacked, lastError;
  explicit CUDASymbols(llvm::StringRef name)
      : runDevice((name + "_run_device").str()),
        runDevicePacked((name + "_run_device_packed").str()),
        lastError((name + "_last_error").str()) {}
};

//===----------------------------------------------------------------------===//
// Kernel descriptions
//===----------------------------------------------------------------------===//

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

/// Names each kernel function after its module (outlining names them after
/// the host function, the same in every module), so that names are unique
/// across kernels/ and in profiles.
static void renameKernels(ModuleOp module) {
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

/// The launches of every kernel, from the host functions.
static llvm::Error describeKernels(ModuleOp module,
                                   const ModelManifest &manifest,
                                   std::vector<CUDAKernel> &kernels) {
  llvm::StringMap<size_t> index;
  for (auto gpuModule : module.getOps<gpu::GPUModuleOp>()) {
    index[gpuModule.getName()] = kernels.size();
    CUDAKernel kernel;
    kernel.symbol = gpuModule.getName().str();
    // The kernel function (outlining makes one per module).
    gpuModule.walk([&](Operation *op) {
      auto symbol = dyn_cast<SymbolOpInterface>(op);
      if (symbol && op->hasAttr(gpu::GPUDialect::getKernelFuncAttrName()))
        kernel.function = symbol.getName().str();
    });
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
    Operation *parent = launch->getParentOp();
    if (!isa<func::FuncOp>(parent))
      kernel.inHostControlFlow = true;
    gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
    gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
    Value sizes[] = {grid.x, grid.y, grid.z, block.x, block.y, block.z};
    for (int i = 0; i < 6; ++i) {
      std::optional<int64_t> size = getConstantIntValue(sizes[i]);
      std::optional<int64_t> &slot =
          i < 3 ? kernel.grid[i] : kernel.block[i - 3];
      // Launch sites with different sizes make the size dynamic.
      slot = kernel.launchSites == 1 || slot == size ? size : std::nullopt;
    }
    if (kernel.launchSites > 1)
      return WalkResult::advance();
    for (Value operand : launch.getKernelOperands()) {
      CUDAKernelParam param;
      if (auto type = dyn_cast<MemRefType>(operand.getType())) {
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
      } else {
        param.cType = getCType(operand.getType());
        std::optional<int64_t> constant = getConstantIntValue(operand);
        param.origin = constant ? "the constant " + std::to_string(*constant)
                                : std::string("a value the host computes");
      }
      kernel.params.push_back(std::move(param));
    }
    return WalkResult::advance();
  });
  return error;
}

/// Runs gpu-module-to-binary with `format` on a copy of `module`'s kernel
/// modules; returns each kernel's object by name.
static llvm::Expected<llvm::StringMap<std::string>>
serializeKernels(ModuleOp module, llvm::StringRef format,
                 const GPUPipelineOptions &pipeline) {
  MLIRContext *context = module.getContext();
  OwningOpRef<ModuleOp> kernels = ModuleOp::create(UnknownLoc::get(context));
  kernels.get()->setAttrs(module->getAttrDictionary());
  OpBuilder builder = OpBuilder::atBlockEnd(kernels->getBody());
  for (auto gpuModule : module.getOps<gpu::GPUModuleOp>())
    builder.clone(*gpuModule);
  PassManager pm(context);
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = format.str();
  binary.toolkitPath = getCUDAToolkitPath(pipeline.cudaPath);
  pm.addPass(createGpuModuleToBinaryPass(binary));
  if (failed(pm.run(*kernels)))
    return makeError(llvm::Twine("making ") +
                     (format == "isa" ? "PTX" : "cubins") + " failed");
  llvm::StringMap<std::string> objects;
  for (auto binaryOp : kernels->getOps<gpu::BinaryOp>()) {
    auto object = cast<gpu::ObjectAttr>(binaryOp.getObjects()[0]);
    objects[binaryOp.getName()] = object.getObject().getValue().str();
  }
  return objects;
}

//===----------------------------------------------------------------------===//
// LLVM IR of model.so
//===----------------------------------------------------------------------===//

/// A private constant global holding `bytes` (with a terminating NUL when
/// `cString`), aligned to 16 bytes.
static llvm::GlobalVariable *addBytes(llvm::Module &module,
                                      llvm::StringRef bytes,
                                      const llvm::Twine &name, bool cString) {
  llvm::Constant *data = llvm::ConstantDataArray::getString(
      module.getContext(), bytes, /*AddNull=*/cString);
  auto *global =
      new llvm::GlobalVariable(module, data->getType(), /*isConstant=*/true,
                               llvm::GlobalValue::PrivateLinkage, data, name);
  global->setAlignment(llvm::Align(16));
  global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  return global;
}

/// Links the host runtime's bitcode into `module`.
static llvm::Error linkHostRuntime(llvm::Module &module) {
  llvm::Expected<std::unique_ptr<llvm::Module>> runtime =
      llvm::parseBitcodeFile(
          llvm::MemoryBufferRef(getCUDAHostRuntimeBitcode(), "cuda-runtime"),
          module.getContext());
  if (!runtime)
    return makeError("cannot read the embedded CUDA host runtime: " +
                     llvm::toString(runtime.takeError()));
  (*runtime)->setTargetTriple(module.getTargetTriple());
  (*runtime)->setDataLayout(module.getDataLayout());
  for (llvm::Function &function : **runtime) {
    // Compiled for the model's host CPU, not the generic one clang assumed.
    function.removeFnAttr("target-cpu");
    function.removeFnAttr("target-features");
    function.removeFnAttr("tune-cpu");
  }
  if (llvm::Linker::linkModules(module, std::move(*runtime)))
    return makeError("linking the CUDA host runtime into the model failed");
  return llvm::Error::success();
}

/// The model's descriptor (`__loom_cuda_model`, HostRuntime.h), its launch
/// function and the exported entry points; everything else becomes
/// internal.
static llvm::Error addEntryPoints(llvm::Module &module,
                                  const ModelManifest &manifest,
                                  llvm::StringRef gpuArch,
                                  llvm::ArrayRef<CUDAKernel> kernels,
                                  uint64_t numWeights, bool cudaGraph) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
  CUDASymbols symbols(manifest.name);
  size_t numInputs = manifest.inputs.size();
  size_t numArgs = numInputs + manifest.outputs.size();

  llvm::Function *impl = module.getFunction(manifest.function);
  if (!impl || impl->isDeclaration())
    return makeError("the lowered module lacks @" + manifest.function);
  llvm::SmallVector<llvm::Type *> expected;
  for (const std::vector<TensorSpec> *list :
       {&manifest.inputs, &manifest.outputs})
    for (const TensorSpec &spec : *list) {
      expected.append({ptr, ptr, i64});
      expected.append(2 * spec.shape.size(), i64);
    }
  if (!impl->getReturnType()->isVoidTy() ||
      impl->getFunctionType()->params() != llvm::ArrayRef(expected))
    return makeError("the lowered @" + manifest.function +
                     " does not take one memref descriptor per input and "
                     "output");
  impl->setName("__loom_" + manifest.name + "_entry");
  for (llvm::StringRef symbol : {llvm::StringRef(manifest.runSymbol),
                                 llvm::StringRef(manifest.runPackedSymbol),
                                 llvm::StringRef(manifest.errorMessageSymbol),
                                 llvm::StringRef(manifest.abiVersionSymbol),
                                 llvm::StringRef(manifest.signatureSymbol),
                                 llvm::StringRef(symbols.runDevice),
                                 llvm::StringRef(symbols.runDevicePacked),
                                 llvm::StringRef(symbols.lastError)})
    if (module.getNamedValue(symbol))
      return makeError("the model defines or calls '" + symbol +
                       "', a name the library exports (choose another "
                       "--name)");
  for (llvm::Function &f : module)
    if (!f.isDeclaration())
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  for (llvm::GlobalVariable &g : module.globals())
    if (!g.isDeclaration() && !g.getName().starts_with("llvm."))
      g.setLinkage(llvm::GlobalValue::InternalLinkage);

  // void launch(void **deviceArgs): the lowered function on descriptors of
  // dense row-major buffers.
  llvm::Function *launch = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false),
      llvm::GlobalValue::InternalLinkage, "__loom_" + manifest.name + "_launch",
      module);
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", launch));
    llvm::SmallVector<llvm::Value *> args;
    for (size_t i = 0; i < numArgs; ++i) {
      const TensorSpec &spec =
          i < numInputs ? manifest.inputs[i] : manifest.outputs[i - numInputs];
      llvm::Value *pointer = b.CreateLoad(
          ptr, b.CreateConstInBoundsGEP1_64(ptr, launch->getArg(0), i));
      args.append({pointer, pointer, b.getInt64(0)});
      for (int64_t size : spec.shape)
        args.push_back(b.getInt64(size));
      std::vector<int64_t> strides(spec.shape.size(), 1);
      for (int d = static_cast<int>(spec.shape.size()) - 2; d >= 0; --d)
        strides[d] = strides[d + 1] * spec.shape[d + 1];
      for (int64_t stride : strides)
        args.push_back(b.getInt64(stride));
    }
    b.CreateCall(impl, args);
    b.CreateRetVoid();
  }

  // The kernel images (LoomCudaKernelImage[]).
  auto *imageType = llvm::StructType::get(ctx, {ptr, ptr, i64, ptr});
  llvm::SmallVector<llvm::Constant *> images;
  for (auto [k, kernel] : llvm::enumerate(kernels)) {
    llvm::Twine stem = "__loom_cuda_kernel" + llvm::Twine(k);
    images.push_back(llvm::ConstantStruct::get(
        imageType, {addBytes(module, kernel.function, stem + ".name", true),
                    addBytes(module, kernel.cubin, stem + ".cubin", false),
                    llvm::ConstantInt::get(i64, kernel.cubin.size()),
                    addBytes(module, kernel.ptx, stem + ".ptx", true)}));
  }
  auto *imagesType = llvm::ArrayType::get(imageType, images.size());
  auto *imageTable = new llvm::GlobalVariable(
      module, imagesType, true, llvm::GlobalValue::PrivateLinkage,
      llvm::ConstantArray::get(imagesType, images), "__loom_cuda_kernels");
  llvm::SmallVector<uint64_t> argBytes;
  for (const std::vector<TensorSpec> *list :
       {&manifest.inputs, &manifest.outputs})
    for (const TensorSpec &spec : *list)
      argBytes.push_back(spec.byteSize());
  if (argBytes.empty())
    argBytes.push_back(0);
  auto *bytesData = llvm::ConstantDataArray::get(ctx, argBytes);
  auto *bytesTable = new llvm::GlobalVariable(
      module, bytesData->getType(), true, llvm::GlobalValue::PrivateLinkage,
      bytesData, "__loom_cuda_arg_bytes");

  // The descriptor the runtime declares as `extern const LoomCudaModel`.
  auto *modelType =
      llvm::StructType::get(ctx, {ptr, ptr, i64, ptr, i64, i64, i64, ptr, ptr,
                                  i64});
  llvm::GlobalVariable *model = module.getGlobalVariable("__loom_cuda_model");
  if (!model || !model->isDeclaration())
    return makeError("the CUDA host runtime does not declare "
                     "__loom_cuda_model");
  auto *definition = new llvm::GlobalVariable(
      module, modelType, true, llvm::GlobalValue::InternalLinkage,
      llvm::ConstantStruct::get(
          modelType, {addBytes(module, manifest.name, "__loom_cuda_name", true),
                      addBytes(module, gpuArch, "__loom_cuda_arch", true),
                      llvm::ConstantInt::get(i64, kernels.size()), imageTable,
                      llvm::ConstantInt::get(i64, numWeights),
                      llvm::ConstantInt::get(i64, numInputs),
                      llvm::ConstantInt::get(i64, numArgs - numInputs),
                      bytesTable, launch,
                      llvm::ConstantInt::get(i64, cudaGraph ? 1 : 0)}),
      "");
  model->replaceAllUsesWith(definition);
  model->eraseFromParent();
  definition->setName("__loom_cuda_model");

  auto runtimeFunction = [&](llvm::StringRef name) -> llvm::Function * {
    return module.getFunction(name);
  };
  llvm::Function *runHost = runtimeFunction("loom_cuda_run_host");
  llvm::Function *runDevice = runtimeFunction("loom_cuda_run_device");
  llvm::Function *lastError = runtimeFunction("loom_cuda_last_error");
  if (!runHost || !runDevice || !lastError)
    return makeError("the CUDA host runtime lacks its entry points");

  // NAME_run(ptrs...) / NAME_run_device(ptrs..., stream): the pointers in
  // an array, then the runtime.
  auto defineTyped = [&](llvm::StringRef name, bool device) {
    llvm::SmallVector<llvm::Type *> params(numArgs, ptr);
    if (device)
      params.push_back(ptr);
    llvm::Function *f = llvm::Function::Create(
        llvm::FunctionType::get(i32, params, false),
        llvm::GlobalValue::ExternalLinkage, name, module);
    f->addFnAttr(llvm::Attribute::NoUnwind);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", f));
    llvm::Value *array =
        b.CreateAlloca(ptr, b.getInt64(std::max<size_t>(numArgs, 1)), "args");
    for (size_t i = 0; i < numArgs; ++i) {
      const TensorSpec &spec =
          i < numInputs ? manifest.inputs[i] : manifest.outputs[i - numInputs];
      f->getArg(i)->setName(spec.cName);
      b.CreateStore(f->getArg(i), b.CreateConstInBoundsGEP1_64(ptr, array, i));
    }
    llvm::Value *result =
        device ? b.CreateCall(runDevice, {array, f->getArg(numArgs)})
               : b.CreateCall(runHost, {array});
    if (device)
      f->getArg(numArgs)->setName("stream");
    b.CreateRet(result);
  };
  defineTyped(manifest.runSymbol, /*device=*/false);
  defineTyped(symbols.runDevice, /*device=*/true);

  auto definePacked = [&](llvm::StringRef name, bool device) {
    llvm::SmallVector<llvm::Type *> params = {ptr};
    if (device)
      params.push_back(ptr);
    llvm::Function *f = llvm::Function::Create(
        llvm::FunctionType::get(i32, params, false),
        llvm::GlobalValue::ExternalLinkage, name, module);
    f->addFnAttr(llvm::Attribute::NoUnwind);
    f->getArg(0)->setName("args");
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", f));
    b.CreateRet(device ? b.CreateCall(runDevice, {f->getArg(0), f->getArg(1)})
                       : b.CreateCall(runHost, {f->getArg(0)}));
  };
  definePacked(manifest.runPackedSymbol, /*device=*/false);
  definePacked(symbols.runDevicePacked, /*device=*/true);

  // NAME_error_message(code): the common codes and the CUDA ones.
  llvm::Function *message = llvm::Function::Create(
      llvm::FunctionType::get(ptr, {i32}, false),
      llvm::GlobalValue::ExternalLinkage, manifest.errorMessageSymbol, module);
  message->addFnAttr(llvm::Attribute::NoUnwind);
  {
    auto *entry = llvm::BasicBlock::Create(ctx, "entry", message);
    auto *unknown = llvm::BasicBlock::Create(ctx, "unknown", message);
    llvm::IRBuilder<> b(entry);
    llvm::SwitchInst *dispatch = b.CreateSwitch(message->getArg(0), unknown);
    auto addCase = [&](int32_t code, llvm::StringRef text) {
      auto *block = llvm::BasicBlock::Create(ctx, "code", message);
      b.SetInsertPoint(block);
      b.CreateRet(b.CreateGlobalString(text));
      dispatch->addCase(b.getInt32(code), block);
    };
    for (int32_t code = 0; code <= kLastRuntimeError; ++code)
      addCase(code, describeRuntimeError(code));
#define LOOM_CASE(code, name, text) addCase(code, text);
    LOOM_CUDA_ERROR_LIST(LOOM_CASE)
#undef LOOM_CASE
    b.SetInsertPoint(unknown);
    b.CreateRet(b.CreateGlobalString("unknown loom runtime error"));
  }

  llvm::Function *last = llvm::Function::Create(
      llvm::FunctionType::get(ptr, false), llvm::GlobalValue::ExternalLinkage,
      symbols.lastError, module);
  last->addFnAttr(llvm::Attribute::NoUnwind);
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", last));
    b.CreateRet(b.CreateCall(lastError));
  }

  defineModelSignature(module, manifest);

  llvm::Function *version = llvm::Function::Create(
      llvm::FunctionType::get(i32, false), llvm::GlobalValue::ExternalLinkage,
      manifest.abiVersionSymbol, module);
  version->addFnAttr(llvm::Attribute::NoUnwind);
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", version));
    b.CreateRet(b.getInt32(static_cast<uint32_t>(kLoomABIVersion)));
  }

  std::string verifierMessage;
  llvm::raw_string_ostream verifierStream(verifierMessage);
  if (llvm::verifyModule(module, &verifierStream))
    return makeError("the generated LLVM IR is invalid: " + verifierMessage);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// The backend
//===----------------------------------------------------------------------===//

namespace {
class CUDAArtifact : public TargetArtifact {
public:
  CUDAArtifact(std::unique_ptr<llvm::TargetMachine> targetMachine,
               std::unique_ptr<llvm::LLVMContext> llvmContext,
               std::unique_ptr<llvm::Module> llvmModule,
               std::vector<CUDAKernel> kernels, uint64_t numWeights,
               uint64_t weightBytes, std::string gpuArch, std::string modelName,
               const TargetOptions &options)
      : targetMachine(std::move(targetMachine)),
        llvmContext(std::move(llvmContext)), llvmModule(std::move(llvmModule)),
        kernels(std::move(kernels)), numWeights(numWeights),
        weightBytes(weightBytes), gpuArch(std::move(gpuArch)),
        modelName(std::move(modelName)), options(options) {}

  void printLLVMIR(llvm::raw_ostream &os) const override {
    llvmModule->print(os, nullptr);
  }

  llvm::Error package(OutputFiles &out, ModelManifest &manifest,
                      PhaseCallback startPhase) override {
    if (llvm::Error e = out.createDirectory("kernels"))
      return e;
    for (const CUDAKernel &kernel : kernels) {
      if (llvm::Error e = out.writeFile("kernels/" + kernel.symbol + ".cubin",
                                        kernel.cubin))
        return e;
      if (llvm::Error e =
              out.writeFile("kernels/" + kernel.symbol + ".ptx", kernel.ptx))
        return e;
    }
    if (llvm::Error e = out.writeFile(
            "kernels.h", generateKernelsHeader(manifest, gpuArch, kernels)))
      return e;
    if (llvm::Error e = out.writeFile(
            manifest.header, generateCUDAModelHeader(manifest, gpuArch)))
      return e;
    std::string objectPath = out.getPath(manifest.name + ".o");
    startPhase("code generation (host object file)");
    if (llvm::Error e =
            writeObjectFile(*llvmModule, *targetMachine, objectPath))
      return e;
    startPhase("link");
    std::string logPath = out.getPath("link.log");
    std::string linker =
        options.linker.empty() ? getDefaultLinker().str() : options.linker;
    llvm::StringRef libraries[] = {"-ldl", "-lpthread"};
    if (llvm::Error e =
            linkSharedLibrary(linker, objectPath, out.getPath(manifest.library),
                              manifest.library, logPath, libraries))
      return e;
    llvm::sys::fs::remove(objectPath);
    llvm::sys::fs::remove(logPath);
    return llvm::Error::success();
  }

  llvm::json::Object getManifestExtension() const override {
    CUDASymbols symbols(modelName);
    llvm::json::Array kernelList;
    for (const CUDAKernel &kernel : kernels) {
      auto dims = [](const std::array<std::optional<int64_t>, 3> &d) {
        llvm::json::Array array;
        for (const std::optional<int64_t> &size : d)
          array.push_back(size ? llvm::json::Value(*size)
                               : llvm::json::Value(nullptr));
        return array;
      };
      size_t numParams = 0;
      for (const CUDAKernelParam &param : kernel.params)
        numParams += param.isBuffer ? 3 + 2 * param.sizes.size() : 1;
      kernelList.push_back(
          llvm::json::Object{{"name", kernel.symbol},
                             {"function", kernel.function},
                             {"cubin", "kernels/" + kernel.symbol + ".cubin"},
                             {"ptx", "kernels/" + kernel.symbol + ".ptx"},
                             {"num_params", static_cast<int64_t>(numParams)},
                             {"grid", dims(kernel.grid)},
                             {"block", dims(kernel.block)}});
    }
    llvm::json::Object cuda{
        {"gpu_arch", gpuArch},
        {"cuda_graph", options.cudaGraph},
        {"dtype", options.dtype.empty() ? std::string("f32") : options.dtype},
        {"kernels_header", "kernels.h"},
        {"entry_points",
         llvm::json::Object{{"run_device", symbols.runDevice},
                            {"run_device_packed", symbols.runDevicePacked},
                            {"last_error", symbols.lastError}}},
        {"weights",
         llvm::json::Object{{"count", static_cast<int64_t>(numWeights)},
                            {"bytes", static_cast<int64_t>(weightBytes)}}},
        {"kernels", std::move(kernelList)}};
    return llvm::json::Object{{"cuda", std::move(cuda)}};
  }

private:
  std::unique_ptr<llvm::TargetMachine> targetMachine;
  std::unique_ptr<llvm::LLVMContext> llvmContext;
  std::unique_ptr<llvm::Module> llvmModule;
  std::vector<CUDAKernel> kernels;
  uint64_t numWeights, weightBytes;
  std::string gpuArch;
  std::string modelName;
  TargetOptions options;
};

class CUDABackend : public TargetBackend {
public:
  llvm::StringRef getName() const override { return "cuda"; }
  llvm::StringRef getDisplayName() const override { return "CUDA"; }

  llvm::Error checkOptions(const TargetOptions &options) const override {
    if (options.numThreads != 0)
      return makeError("--threads applies to --target=cpu, not cuda");
    if (options.emitStatic)
      return makeError("--static applies to --target=cpu, not cuda");
    GPUPipelineOptions pipeline;
    setPipelineOptions(pipeline, options);
    if (llvm::Error e = checkGPUPipelineOptions(pipeline))
      return makeError("--target=cuda: " + llvm::toString(std::move(e)));
    // An unknown --mcpu (for the host code) is an error here too.
    auto targetMachine = createCPUTargetMachine(getHostOptions(options));
    if (!targetMachine)
      return targetMachine.takeError();
    return llvm::Error::success();
  }

  void buildPipeline(OpPassManager &pm,
                     const TargetOptions &options) const override {
    GPUPipelineOptions pipeline;
    setPipelineOptions(pipeline, options);
    buildGPUPipeline(pm, pipeline);
  }

  llvm::Expected<std::unique_ptr<TargetArtifact>>
  serialize(ModuleOp module, ModelManifest &manifest,
            const TargetOptions &options,
            PhaseCallback startPhase) const override {
    GPUPipelineOptions pipeline;
    setPipelineOptions(pipeline, options);
    auto targetMachine = createCPUTargetMachine(getHostOptions(options));
    if (!targetMachine)
      return targetMachine.takeError();
    manifest.triple = (*targetMachine)->getTargetTriple().str();
    manifest.cpu = (*targetMachine)->getTargetCPU().str();

    startPhase("loom-gpu-pipeline (to NVVM)");
    llvm::Expected<OwningOpRef<ModuleOp>> lowered =
        cloneForEntryPoint(module, manifest);
    if (!lowered)
      return lowered.takeError();
    MLIRContext *context = module.getContext();
    {
      PassManager pm(context);
      if (failed(applyPassManagerCLOptions(pm)))
        return makeError("invalid pass manager options");
      auto timingManager = std::make_unique<DefaultTimingManager>();
      applyDefaultTimingManagerCLOptions(*timingManager);
      if (timingManager->isEnabled())
        pm.enableTiming(std::move(timingManager));
      pm.addPass(createSymbolDCEPass());
      GPUPipelineOptions toNVVM;
      setPipelineOptions(toNVVM, options);
      toNVVM.format = "none";
      buildGPUPipeline(pm, toNVVM);
      if (failed(pm.run(**lowered)))
        return makeError("lowering with loom-gpu-pipeline failed");
    }
    renameKernels(**lowered);
    std::vector<CUDAKernel> kernels;
    if (llvm::Error e = describeKernels(**lowered, manifest, kernels))
      return std::move(e);
    uint64_t numWeights = 0, weightBytes = 0;
    (*lowered)->walk([&](memref::GlobalOp global) {
      if (global->getParentOfType<gpu::GPUModuleOp>() || !global.getConstant())
        return;
      ++numWeights;
      int64_t bytes = getStaticBytes(global.getType());
      weightBytes += bytes > 0 ? bytes : 0;
    });

    startPhase("kernels to PTX and cubins (ptxas)");
    auto ptx = serializeKernels(**lowered, "isa", pipeline);
    if (!ptx)
      return ptx.takeError();
    auto cubins = serializeKernels(**lowered, "bin", pipeline);
    if (!cubins)
      return cubins.takeError();
    for (CUDAKernel &kernel : kernels) {
      kernel.ptx = (*ptx)[kernel.symbol];
      kernel.cubin = (*cubins)[kernel.symbol];
      if (kernel.function.empty() || kernel.ptx.empty() || kernel.cubin.empty())
        return makeError("kernel module @" + kernel.symbol +
                         " has no kernel function, PTX or cubin");
    }

    startPhase("host code to LLVM IR, host runtime, LLVM -O" +
               std::to_string(options.optLevel));
    {
      PassManager pm(context);
      OpPassManager &host = pm.nest<func::FuncOp>();
      host.addPass(createLowerAffinePass());
      host.addPass(createSCFToControlFlowPass());
      host.addPass(memref::createExpandStridedMetadataPass());
      host.addPass(createLowerAffinePass());
      pm.addPass(createConvertGPUHostToLoomCUDA());
      pm.addPass(createReconcileUnrealizedCastsPass());
      if (failed(pm.run(**lowered)))
        return makeError("lowering the host code failed");
    }
    // The kernels travel in the descriptor, not as gpu.module/gpu.binary.
    for (Operation &op :
         llvm::make_early_inc_range((*lowered)->getBody()->getOperations()))
      if (isa<gpu::GPUModuleOp, gpu::BinaryOp>(op))
        op.erase();
    (**lowered)->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());

    registerBuiltinDialectTranslation(*context);
    registerLLVMDialectTranslation(*context);
    auto llvmContext = std::make_unique<llvm::LLVMContext>();
    std::unique_ptr<llvm::Module> llvmModule =
        translateModuleToLLVMIR(**lowered, *llvmContext, manifest.name);
    if (!llvmModule)
      return makeError("translation of the host code to LLVM IR failed");
    llvmModule->setTargetTriple((*targetMachine)->getTargetTriple());
    llvmModule->setDataLayout((*targetMachine)->createDataLayout());
    // A graph replays launches; a host decision on a GPU value cannot be
    // replayed.
    if (llvm::Function *read = llvmModule->getFunction("loom_cuda_memcpy");
        options.cudaGraph && read && !read->use_empty())
      return makeError("--cuda-graph: @" + manifest.function +
                       " reads a GPU value on the host (the KV cache's "
                       "capacity check), which a CUDA graph cannot capture; "
                       "compile it without --cuda-graph");
    if (llvm::Error e = linkHostRuntime(*llvmModule))
      return std::move(e);
    if (llvm::Error e =
            addEntryPoints(*llvmModule, manifest, pipeline.gpuArch, kernels,
                           numWeights, options.cudaGraph))
      return std::move(e);
    auto optimize =
        makeOptimizingTransformer(options.optLevel,
                                  /*sizeLevel=*/0, targetMachine->get());
    if (llvm::Error e = optimize(llvmModule.get()))
      return makeError("LLVM optimisation failed: " +
                       llvm::toString(std::move(e)));
    return std::make_unique<CUDAArtifact>(
        std::move(*targetMachine), std::move(llvmContext),
        std::move(llvmModule), std::move(kernels), numWeights, weightBytes,
        pipeline.gpuArch, manifest.name, options);
  }
};
} // namespace

std::unique_ptr<TargetBackend> mlir::loom::createCUDATargetBackend() {
  return std::make_unique<CUDABackend>();
}
