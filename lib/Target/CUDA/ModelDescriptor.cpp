//===- ModelDescriptor.cpp - __loom_cuda_model of a CUDA model ------------===//
//
// Fills in the `extern const LoomCudaModel __loom_cuda_model` of the linked
// host runtime. Its field order and types must match HostRuntime.h's
// LoomCudaModel and LoomCudaKernelImage. Everything defined here is private
// or internal to model.so.
//
//===----------------------------------------------------------------------===//

#include "ModelDescriptor.h"

#include "loom/Support/Errors.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"

#include <vector>

using namespace mlir;
using namespace mlir::loom;

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

/// void launch(void **deviceArgs): `entry` on descriptors of dense
/// row-major buffers.
static llvm::Function *defineLaunch(llvm::Module &module,
                                    const ModelManifest &manifest,
                                    llvm::Function *entry) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
  size_t numInputs = manifest.inputs.size();
  size_t numArgs = numInputs + manifest.outputs.size();
  llvm::Function *launch = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false),
      llvm::GlobalValue::InternalLinkage, "__loom_" + manifest.name + "_launch",
      module);
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
  b.CreateCall(entry, args);
  b.CreateRetVoid();
  return launch;
}

/// The kernel images (LoomCudaKernelImage[]).
static llvm::GlobalVariable *
defineKernelImages(llvm::Module &module, llvm::ArrayRef<CUDAKernel> kernels) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
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
  return new llvm::GlobalVariable(
      module, imagesType, true, llvm::GlobalValue::PrivateLinkage,
      llvm::ConstantArray::get(imagesType, images), "__loom_cuda_kernels");
}

/// The size in bytes of every input, then every output (uint64_t[], one
/// element at least).
static llvm::GlobalVariable *defineArgBytes(llvm::Module &module,
                                            const ModelManifest &manifest) {
  llvm::SmallVector<uint64_t> argBytes;
  for (const std::vector<TensorSpec> *list :
       {&manifest.inputs, &manifest.outputs})
    for (const TensorSpec &spec : *list)
      argBytes.push_back(spec.byteSize());
  if (argBytes.empty())
    argBytes.push_back(0);
  auto *bytesData = llvm::ConstantDataArray::get(module.getContext(), argBytes);
  return new llvm::GlobalVariable(module, bytesData->getType(), true,
                                  llvm::GlobalValue::PrivateLinkage, bytesData,
                                  "__loom_cuda_arg_bytes");
}

llvm::Error mlir::loom::defineModelDescriptor(
    llvm::Module &module, const ModelManifest &manifest,
    llvm::StringRef gpuArch, llvm::ArrayRef<CUDAKernel> kernels,
    uint64_t numWeights, bool cudaGraph, llvm::Function *entry) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
  size_t numInputs = manifest.inputs.size();
  size_t numArgs = numInputs + manifest.outputs.size();

  llvm::Function *launch = defineLaunch(module, manifest, entry);
  llvm::GlobalVariable *imageTable = defineKernelImages(module, kernels);
  llvm::GlobalVariable *bytesTable = defineArgBytes(module, manifest);

  // The runtime declares it as `extern const LoomCudaModel`; the definition
  // replaces the declaration.
  auto *modelType = llvm::StructType::get(
      ctx, {ptr, ptr, i64, ptr, i64, i64, i64, ptr, ptr, i64});
  llvm::GlobalVariable *model = module.getGlobalVariable("__loom_cuda_model");
  if (!model || !model->isDeclaration())
    return makeError("the CUDA host runtime does not declare "
                     "__loom_cuda_model");
  auto *definition = new llvm::GlobalVariable(
      module, modelType, true, llvm::GlobalValue::InternalLinkage,
      llvm::ConstantStruct::get(
          modelType,
          {addBytes(module, manifest.name, "__loom_cuda_name", true),
           addBytes(module, gpuArch, "__loom_cuda_arch", true),
           llvm::ConstantInt::get(i64, kernels.size()), imageTable,
           llvm::ConstantInt::get(i64, numWeights),
           llvm::ConstantInt::get(i64, numInputs),
           llvm::ConstantInt::get(i64, numArgs - numInputs), bytesTable, launch,
           llvm::ConstantInt::get(i64, cudaGraph ? 1 : 0)}),
      "");
  model->replaceAllUsesWith(definition);
  model->eraseFromParent();
  definition->setName("__loom_cuda_model");
  return llvm::Error::success();
}
