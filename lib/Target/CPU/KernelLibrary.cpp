//===- KernelLibrary.cpp - Linking the CPU microkernels into models -------===//
//
// See KernelLibrary.h. The kernels reference each other (the matmul and
// attention kernels use the thread pool), so every file a call needs is linked
// whole and LLVM's global DCE drops what the model does not use once
// everything is internal.
//
//===----------------------------------------------------------------------===//

#include "loom/Target/CPU/KernelLibrary.h"
#include "loom/Support/Errors.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace mlir::loom;

/// The name of the compiled-in thread count the thread pool reads.
static constexpr llvm::StringLiteral kCompiledThreadsName =
    "__loom_compiled_num_threads";

/// The bitcode files to link: the common ones, and of the kernels built per
/// register-tile width the `-avx512` variants (tiles that need AVX-512's 32
/// vector registers) or the `-generic` ones (tiles that fit AVX2's 16).
static llvm::SmallVector<KernelBitcode>
selectKernelFiles(const llvm::TargetMachine &targetMachine) {
  const llvm::MCSubtargetInfo *info = targetMachine.getMCSubtargetInfo();
  bool avx512 = info && info->checkFeatures("+avx512f");
  llvm::SmallVector<KernelBitcode> files;
  for (const KernelBitcode &file : getCPUKernelBitcode()) {
    if (file.name.ends_with("-avx512") && !avx512)
      continue;
    if (file.name.ends_with("-generic") && avx512)
      continue;
    files.push_back(file);
  }
  return files;
}

/// True when `module` declares a function some kernel file defines.
static bool callsKernels(const llvm::Module &module) {
  for (const llvm::Function &function : module) {
    llvm::StringRef name = function.getName();
    // Direct calls, and calls through an llvm.emit_c_interface wrapper.
    name.consume_front("_mlir_ciface_");
    if (function.isDeclaration() &&
        ((name.starts_with("loom_") && name != "loom_runtime_error") ||
         name.starts_with("_mlir_memref_to_llvm_")))
      return true;
  }
  return false;
}

llvm::Error mlir::loom::linkCPUKernels(llvm::Module &module,
                                       const llvm::TargetMachine &targetMachine,
                                       int32_t numThreads) {
  if (!callsKernels(module))
    return llvm::Error::success();
  llvm::LLVMContext &context = module.getContext();
  llvm::StringSet<> kernelFunctions;
  llvm::Linker linker(module);
  for (const KernelBitcode &file : selectKernelFiles(targetMachine)) {
    llvm::Expected<std::unique_ptr<llvm::Module>> kernels =
        llvm::parseBitcodeFile(
            llvm::MemoryBufferRef(file.bitcode, file.name), context);
    if (!kernels)
      return makeError("cannot read the embedded CPU kernel '" + file.name +
                       "': " + llvm::toString(kernels.takeError()));
    (*kernels)->setTargetTriple(module.getTargetTriple());
    (*kernels)->setDataLayout(module.getDataLayout());
    for (llvm::Function &function : **kernels) {
      // Compile for the model's CPU, not the generic one clang assumed.
      function.removeFnAttr("target-cpu");
      function.removeFnAttr("target-features");
      function.removeFnAttr("tune-cpu");
      if (!function.isDeclaration())
        kernelFunctions.insert(function.getName());
    }
    for (llvm::GlobalVariable &global : (*kernels)->globals())
      if (!global.isDeclaration() && !global.getName().starts_with("llvm."))
        global.setName(kKernelGlobalPrefix + global.getName());
    if (linker.linkInModule(std::move(*kernels)))
      return makeError("linking the CPU kernel '" + file.name +
                       "' into the model failed");
  }
  // The kernels are the model's private code: two models in one process must
  // not bind to each other's copies.
  for (llvm::Function &function : module)
    if (!function.isDeclaration() &&
        kernelFunctions.contains(function.getName()))
      function.setLinkage(llvm::GlobalValue::InternalLinkage);

  if (llvm::GlobalVariable *threads =
          module.getGlobalVariable(kCompiledThreadsName)) {
    llvm::Type *i32 = llvm::Type::getInt32Ty(context);
    if (!threads->isDeclaration() || threads->getValueType() != i32)
      return makeError(llvm::Twine("the model defines @") +
                       kCompiledThreadsName + ", a name Loom reserves");
    threads->setInitializer(llvm::ConstantInt::get(i32, numThreads));
    threads->setConstant(true);
    threads->setLinkage(llvm::GlobalValue::InternalLinkage);
  }
  return llvm::Error::success();
}
