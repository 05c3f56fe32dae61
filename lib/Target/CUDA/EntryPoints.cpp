//===- EntryPoints.cpp - The C entry points of a CUDA model.so ------------===//
//
// Defines model.so's exported functions (NAME = --name) as thin wrappers of
// the host runtime's:
//
//   NAME_run, NAME_run_device          the buffers into an array, then
//                                      loom_cuda_run_host / _run_device
//   NAME_run_packed, NAME_run_device_packed
//                                      the array as given
//   NAME_error_message                 the common and the CUDA error texts
//   NAME_last_error                    loom_cuda_last_error
//   NAME_signature (a constant), NAME_abi_version
//                                      as the CPU target's
//
// Precondition: the module holds the lowered model function and the linked
// host runtime (loom_cuda_run_host, loom_cuda_run_device,
// loom_cuda_last_error and the __loom_cuda_model declaration).
//
//===----------------------------------------------------------------------===//

#include "EntryPoints.h"
#include "ModelDescriptor.h"

#include "loom/Runtime/RuntimeErrors.h"
#include "loom/Support/Errors.h"
#include "loom/Target/CPU/CPUTarget.h"
#include "loom/Target/CUDA/HostRuntime.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <vector>

using namespace mlir;
using namespace mlir::loom;

/// The lowered model function, checked to take one memref descriptor
/// (allocated and aligned pointers, offset, sizes, strides) per input and
/// output and to return nothing.
static llvm::Expected<llvm::Function *>
getLoweredFunction(llvm::Module &module, const ModelManifest &manifest) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
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
  return impl;
}

/// Fails if the module already defines or calls a name model.so exports.
static llvm::Error checkExportedNamesFree(const llvm::Module &module,
                                          const ModelManifest &manifest,
                                          const CUDASymbols &symbols) {
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
  return llvm::Error::success();
}

/// Gives every definition so far internal linkage: model.so exports only
/// the entry points defined after this.
static void internalizeDefinitions(llvm::Module &module) {
  for (llvm::Function &f : module)
    if (!f.isDeclaration())
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  for (llvm::GlobalVariable &g : module.globals())
    if (!g.isDeclaration() && !g.getName().starts_with("llvm."))
      g.setLinkage(llvm::GlobalValue::InternalLinkage);
}

namespace {
/// The host runtime's functions the entry points call.
struct RuntimeFunctions {
  llvm::Function *runHost, *runDevice, *lastError;
};
} // namespace

static llvm::Expected<RuntimeFunctions>
getRuntimeFunctions(llvm::Module &module) {
  RuntimeFunctions runtime{module.getFunction("loom_cuda_run_host"),
                           module.getFunction("loom_cuda_run_device"),
                           module.getFunction("loom_cuda_last_error")};
  if (!runtime.runHost || !runtime.runDevice || !runtime.lastError)
    return makeError("the CUDA host runtime lacks its entry points");
  return runtime;
}

/// An exported, nounwind function `name` of type `type`, its body empty.
static llvm::Function *createExported(llvm::Module &module,
                                      llvm::FunctionType *type,
                                      llvm::StringRef name) {
  llvm::Function *f = llvm::Function::Create(
      type, llvm::GlobalValue::ExternalLinkage, name, module);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  return f;
}

/// NAME_run(ptrs...) / NAME_run_device(ptrs..., stream): the pointers in an
/// array, then the runtime.
static void defineTypedRun(llvm::Module &module, const ModelManifest &manifest,
                           llvm::StringRef name, bool device,
                           const RuntimeFunctions &runtime) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
  size_t numInputs = manifest.inputs.size();
  size_t numArgs = numInputs + manifest.outputs.size();
  llvm::SmallVector<llvm::Type *> params(numArgs, ptr);
  if (device)
    params.push_back(ptr);
  llvm::Function *f =
      createExported(module, llvm::FunctionType::get(i32, params, false), name);
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
      device ? b.CreateCall(runtime.runDevice, {array, f->getArg(numArgs)})
             : b.CreateCall(runtime.runHost, {array});
  if (device)
    f->getArg(numArgs)->setName("stream");
  b.CreateRet(result);
}

/// NAME_run_packed(args) / NAME_run_device_packed(args, stream): straight
/// to the runtime.
static void definePackedRun(llvm::Module &module, llvm::StringRef name,
                            bool device, const RuntimeFunctions &runtime) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::SmallVector<llvm::Type *> params = {ptr};
  if (device)
    params.push_back(ptr);
  llvm::Function *f =
      createExported(module, llvm::FunctionType::get(i32, params, false), name);
  f->getArg(0)->setName("args");
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", f));
  b.CreateRet(
      device ? b.CreateCall(runtime.runDevice, {f->getArg(0), f->getArg(1)})
             : b.CreateCall(runtime.runHost, {f->getArg(0)}));
}

/// NAME_error_message(code): the common codes and the CUDA ones.
static void defineErrorMessage(llvm::Module &module,
                               const ModelManifest &manifest) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Function *message =
      createExported(module, llvm::FunctionType::get(ptr, {i32}, false),
                     manifest.errorMessageSymbol);
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

/// NAME_last_error(): the runtime's detail of this thread's last error.
static void defineLastError(llvm::Module &module, llvm::StringRef name,
                            const RuntimeFunctions &runtime) {
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(module.getContext());
  llvm::Function *last =
      createExported(module, llvm::FunctionType::get(ptr, false), name);
  llvm::IRBuilder<> b(
      llvm::BasicBlock::Create(module.getContext(), "entry", last));
  b.CreateRet(b.CreateCall(runtime.lastError));
}

/// NAME_abi_version(): kLoomABIVersion.
static void defineABIVersion(llvm::Module &module,
                             const ModelManifest &manifest) {
  llvm::Type *i32 = llvm::Type::getInt32Ty(module.getContext());
  llvm::Function *version = createExported(
      module, llvm::FunctionType::get(i32, false), manifest.abiVersionSymbol);
  llvm::IRBuilder<> b(
      llvm::BasicBlock::Create(module.getContext(), "entry", version));
  b.CreateRet(b.getInt32(static_cast<uint32_t>(kLoomABIVersion)));
}

static llvm::Error verify(const llvm::Module &module) {
  std::string verifierMessage;
  llvm::raw_string_ostream verifierStream(verifierMessage);
  if (llvm::verifyModule(module, &verifierStream))
    return makeError("the generated LLVM IR is invalid: " + verifierMessage);
  return llvm::Error::success();
}

llvm::Error mlir::loom::addEntryPoints(llvm::Module &module,
                                       const ModelManifest &manifest,
                                       llvm::StringRef gpuArch,
                                       llvm::ArrayRef<CUDAKernel> kernels,
                                       uint64_t numWeights, bool cudaGraph) {
  CUDASymbols symbols(manifest.name);
  llvm::Expected<llvm::Function *> impl = getLoweredFunction(module, manifest);
  if (!impl)
    return impl.takeError();
  (*impl)->setName("__loom_" + manifest.name + "_entry");
  if (llvm::Error e = checkExportedNamesFree(module, manifest, symbols))
    return e;
  internalizeDefinitions(module);
  if (llvm::Error e = defineModelDescriptor(module, manifest, gpuArch, kernels,
                                            numWeights, cudaGraph, *impl))
    return e;
  llvm::Expected<RuntimeFunctions> runtime = getRuntimeFunctions(module);
  if (!runtime)
    return runtime.takeError();
  defineTypedRun(module, manifest, manifest.runSymbol, /*device=*/false,
                 *runtime);
  defineTypedRun(module, manifest, symbols.runDevice, /*device=*/true,
                 *runtime);
  definePackedRun(module, manifest.runPackedSymbol, /*device=*/false, *runtime);
  definePackedRun(module, symbols.runDevicePacked, /*device=*/true, *runtime);
  defineErrorMessage(module, manifest);
  defineLastError(module, symbols.lastError, *runtime);
  defineModelSignature(module, manifest);
  defineABIVersion(module, manifest);
  return verify(module);
}
