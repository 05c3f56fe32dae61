//===- CPUTarget.cpp - Compiled shared libraries for the host CPU ---------===//
//
// loom IR on tensors -> loom-cpu-pipeline -> LLVM IR -> C ABI entry points ->
// optimised for the host -> object file -> shared library (the system C
// compiler driver as the linker).
//
// The lowered function takes every input and output as an expanded memref
// descriptor (allocated and aligned pointer, offset, sizes, strides), the
// convention loom-run's JIT uses too. The shapes are static, so the entry
// points build those descriptors from bare pointers with constant sizes and
// row-major strides; once the lowered function is inlined nothing of them is
// left:
//
//   int32_t <name>_run(const T0 *in0, ..., U0 *out0, ...);
//   int32_t <name>_run_packed(void **args);
//   const char *<name>_error_message(int32_t code);
//   int32_t <name>_abi_version(void);
//   const loom_model_signature <name>_signature;
//
// The last is data, not code: the model's name, ABI version and its inputs'
// and outputs' names, dtypes and shapes (loom/Runtime/ModelSignature.h), which
// loaders compare with manifest.json before they call anything.
//
// A `loomc --generate` library (manifest `generate`) has two entries over
// one lowered module: `<name>_prefill` / `_prefill_packed` /
// `_prefill_signature` and `<name>_decode_step` / ... (getEntryManifests),
// sharing `_error_message`, `_abi_version`, the run-time error slot and the
// kernels; its cache API is C (CHeader.cpp) linked next to the object.
//
// The library defines loom_runtime_error itself: it records the first code of
// the current call in a thread-local slot that `_run` resets on entry and
// returns on exit. Everything but the entry points gets internal linkage, so
// two models loaded into one process never bind to each other's symbols.
//
//===----------------------------------------------------------------------===//

#include "loom/Target/CPU/CPUTarget.h"
#include "loom/Support/Errors.h"
#include "loom/Target/CPU/KernelLibrary.h"

#include "loom/Pipelines/Pipelines.h"
#include "loom/Runtime/RuntimeErrors.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#ifndef LOOM_DEFAULT_LINKER
#define LOOM_DEFAULT_LINKER "clang"
#endif

using namespace mlir;
using namespace mlir::loom;

llvm::StringRef mlir::loom::getDefaultLinker() { return LOOM_DEFAULT_LINKER; }

static llvm::CodeGenOptLevel getCodeGenOptLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0:
    return llvm::CodeGenOptLevel::None;
  case 1:
    return llvm::CodeGenOptLevel::Less;
  case 2:
    return llvm::CodeGenOptLevel::Default;
  default:
    return llvm::CodeGenOptLevel::Aggressive;
  }
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
mlir::loom::createCPUTargetMachine(const CPUTargetOptions &options) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return makeError("no LLVM target for the host triple " + triple.str() +
                     ": " + error);
  std::string cpu;
  std::string features;
  if (options.cpu.empty()) {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures featureSet;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      featureSet.AddFeature(feature.getKey(), feature.getValue());
    features = featureSet.getString();
  } else {
    // Check the name here: the TargetMachine would only warn and ignore it.
    std::unique_ptr<llvm::MCSubtargetInfo> info(
        target->createMCSubtargetInfo(triple, "", ""));
    if (!info || !info->isCPUStringValid(options.cpu))
      return makeError("unknown CPU '" + options.cpu + "' for " + triple.str() +
                       " (see `llc -mcpu=help` for the names)");
    cpu = options.cpu;
  }
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, getCodeGenOptLevel(options.optLevel)));
  if (!machine)
    return makeError("cannot create an LLVM target machine for " +
                     triple.str() + " (CPU " + cpu + ")");
  return machine;
}

/// Runs loom-cpu-pipeline on a copy of `module` in which only
/// `manifest.function` is public.
static llvm::Expected<OwningOpRef<ModuleOp>>
lowerToLLVMDialect(ModuleOp module, const ModelManifest &manifest,
                   bool reference) {
  llvm::Expected<OwningOpRef<ModuleOp>> lowered =
      cloneForEntryPoint(module, manifest);
  if (!lowered)
    return lowered.takeError();
  MLIRContext *context = module.getContext();
  // --generate: the decode step is an entry point too.
  if (manifest.generate) {
    auto step =
        (*lowered)->lookupSymbol<func::FuncOp>(manifest.generate->function);
    if (!step || step.isExternal())
      return makeError("no function @" + manifest.generate->function +
                       " with a body in the module");
    step.setPublic();
    for (unsigned i = 0, e = step.getNumArguments(); i < e; ++i)
      step.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                      BoolAttr::get(context, false));
  }
  PassManager pm(context);
  // --mlir-print-ir-after-all and friends, when the tool registered them.
  if (failed(applyPassManagerCLOptions(pm)))
    return makeError("invalid pass manager options");
  // --mlir-timing: a report of this pass manager's passes on stderr.
  auto timingManager = std::make_unique<DefaultTimingManager>();
  applyDefaultTimingManagerCLOptions(*timingManager);
  if (timingManager->isEnabled())
    pm.enableTiming(std::move(timingManager));
  pm.addPass(createSymbolDCEPass());
  CPUPipelineOptions options;
  options.resultsToOutParams = true;
  options.reference = reference;
  buildCPUPipeline(pm, options);
  if (failed(pm.run(**lowered)))
    return makeError("lowering with loom-cpu-pipeline failed");
  return lowered;
}

/// Defines `loom_runtime_error` (declared by lowerings that detect run-time
/// errors) on top of the thread-local `slot`: the first code of a call wins.
static llvm::Error defineRuntimeErrorFn(llvm::Module &module,
                                        llvm::GlobalVariable *slot) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  auto *type =
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {i32}, false);
  llvm::Function *fn = module.getFunction(kRuntimeErrorFnName);
  if (fn && !fn->isDeclaration())
    return makeError(llvm::Twine("the module defines @") + kRuntimeErrorFnName +
                     "; compiled libraries define it themselves");
  if (fn && fn->getFunctionType() != type)
    return makeError(llvm::Twine("@") + kRuntimeErrorFnName +
                     " is declared with a type other than (i32) -> ()");
  if (!fn)
    fn = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage,
                                kRuntimeErrorFnName, module);
  fn->setLinkage(llvm::GlobalValue::InternalLinkage);
  fn->setVisibility(llvm::GlobalValue::DefaultVisibility);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  auto *entry = llvm::BasicBlock::Create(ctx, "entry", fn);
  auto *record = llvm::BasicBlock::Create(ctx, "record", fn);
  auto *done = llvm::BasicBlock::Create(ctx, "done", fn);
  llvm::IRBuilder<> b(entry);
  llvm::Value *address = b.CreateThreadLocalAddress(slot);
  llvm::Value *previous = b.CreateLoad(i32, address);
  b.CreateCondBr(b.CreateICmpEQ(previous, b.getInt32(0)), record, done);
  b.SetInsertPoint(record);
  b.CreateStore(fn->getArg(0), address);
  b.CreateBr(done);
  b.SetInsertPoint(done);
  b.CreateRetVoid();
  return llvm::Error::success();
}

/// A private constant NUL-terminated copy of `text`.
static llvm::Constant *getCString(llvm::Module &module, llvm::StringRef text) {
  llvm::Constant *data =
      llvm::ConstantDataArray::getString(module.getContext(), text);
  auto *global = new llvm::GlobalVariable(module, data->getType(),
                                          /*isConstant=*/true,
                                          llvm::GlobalValue::PrivateLinkage,
                                          data, ".loom.signature.str");
  global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  global->setAlignment(llvm::Align(1));
  return global;
}

/// The signature constant's layout in LLVM IR:
///   { i32 abi_version, i32 num_inputs, i32 num_outputs, ptr name,
///     ptr inputs, ptr outputs }
/// with inputs and outputs arrays of
///   { ptr name, ptr c_name, ptr dtype, i64 rank, ptr shape }.
void mlir::loom::defineModelSignature(llvm::Module &module,
                                      const ModelManifest &manifest) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
  auto *tensorType = llvm::StructType::get(ctx, {ptr, ptr, ptr, i64, ptr});
  auto *signatureType =
      llvm::StructType::get(ctx, {i32, i32, i32, ptr, ptr, ptr});
  llvm::Constant *null = llvm::ConstantPointerNull::get(ptr);
  auto tensorArray = [&](const std::vector<TensorSpec> &specs) {
    if (specs.empty())
      return null;
    llvm::SmallVector<llvm::Constant *> entries;
    for (const TensorSpec &spec : specs) {
      llvm::Constant *shape = null;
      if (!spec.shape.empty()) {
        llvm::SmallVector<uint64_t> sizes(spec.shape.begin(), spec.shape.end());
        llvm::Constant *data = llvm::ConstantDataArray::get(ctx, sizes);
        shape = new llvm::GlobalVariable(module, data->getType(),
                                         /*isConstant=*/true,
                                         llvm::GlobalValue::PrivateLinkage,
                                         data, ".loom.signature.shape");
      }
      entries.push_back(llvm::ConstantStruct::get(
          tensorType,
          {getCString(module, spec.name), getCString(module, spec.cName),
           getCString(module, dtypeNumpyName(spec.dtype)),
           llvm::ConstantInt::get(i64, spec.shape.size()), shape}));
    }
    auto *arrayType = llvm::ArrayType::get(tensorType, entries.size());
    return static_cast<llvm::Constant *>(
        new llvm::GlobalVariable(module, arrayType, /*isConstant=*/true,
                                 llvm::GlobalValue::PrivateLinkage,
                                 llvm::ConstantArray::get(arrayType, entries),
                                 ".loom.signature.tensors"));
  };
  llvm::Constant *init = llvm::ConstantStruct::get(
      signatureType,
      {llvm::ConstantInt::get(i32, kLoomABIVersion),
       llvm::ConstantInt::get(i32, manifest.inputs.size()),
       llvm::ConstantInt::get(i32, manifest.outputs.size()),
       getCString(module, manifest.name), tensorArray(manifest.inputs),
       tensorArray(manifest.outputs)});
  auto *signature = new llvm::GlobalVariable(
      module, signatureType, /*isConstant=*/true,
      llvm::GlobalValue::ExternalLinkage, init, manifest.signatureSymbol);
  signature->setAlignment(llvm::Align(8));
}

/// The entries a library exports, each as a manifest of its own: the
/// model's, or for --generate the prefill (the top level) and the decode step
/// (the `generate` section's fields).
static std::vector<ModelManifest>
getEntryManifests(const ModelManifest &manifest) {
  std::vector<ModelManifest> entries = {manifest};
  if (manifest.generate) {
    const ModelManifest::GenerateSection &g = *manifest.generate;
    ModelManifest step = manifest;
    step.generate.reset();
    step.function = g.function;
    step.runSymbol = g.runSymbol;
    step.runPackedSymbol = g.runPackedSymbol;
    step.signatureSymbol = g.signatureSymbol;
    step.inputs = g.inputs;
    step.outputs = g.outputs;
    entries.push_back(std::move(step));
  }
  return entries;
}

/// The lowered function of `manifest.function`, checked against the ABI.
static llvm::Expected<llvm::Function *>
findEntryImpl(llvm::Module &module, const ModelManifest &manifest) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Function *impl = module.getFunction(manifest.function);
  if (!impl || impl->isDeclaration())
    return makeError("the lowered module lacks @" + manifest.function);
  // One expanded descriptor per input and output, then no results.
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

/// Defines `manifest.runSymbol` and `manifest.runPackedSymbol` around
/// `impl`, with the run-time error `slot`.
static void defineRunFunctions(llvm::Module &module,
                               const ModelManifest &manifest,
                               llvm::Function *impl,
                               llvm::GlobalVariable *slot) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
  size_t numInputs = manifest.inputs.size();
  size_t numArgs = numInputs + manifest.outputs.size();
  // <name>_run: reset the slot, run, return what was recorded.
  llvm::SmallVector<llvm::Type *> argTypes(numArgs, ptr);
  auto *runType = llvm::FunctionType::get(i32, argTypes, false);
  llvm::Function *run = llvm::Function::Create(
      runType, llvm::GlobalValue::ExternalLinkage, manifest.runSymbol, module);
  run->addFnAttr(llvm::Attribute::NoUnwind);
  // _run_packed binds to this definition, not to a same-named one that
  // another library might interpose.
  run->setDSOLocal(true);
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", run));
    llvm::SmallVector<llvm::Value *> args;
    for (auto [i, arg] : llvm::enumerate(run->args())) {
      const TensorSpec &spec =
          i < numInputs ? manifest.inputs[i] : manifest.outputs[i - numInputs];
      arg.setName(spec.cName);
      if (i < numInputs)
        arg.addAttr(llvm::Attribute::ReadOnly);
      // allocated, aligned, offset 0, sizes, row-major strides.
      args.append({&arg, &arg, b.getInt64(0)});
      for (int64_t size : spec.shape)
        args.push_back(b.getInt64(size));
      std::vector<int64_t> strides(spec.shape.size(), 1);
      for (int d = static_cast<int>(spec.shape.size()) - 2; d >= 0; --d)
        strides[d] = strides[d + 1] * spec.shape[d + 1];
      for (int64_t stride : strides)
        args.push_back(b.getInt64(stride));
    }
    llvm::Value *address = b.CreateThreadLocalAddress(slot);
    b.CreateStore(b.getInt32(0), address);
    b.CreateCall(impl, args);
    b.CreateRet(b.CreateLoad(i32, b.CreateThreadLocalAddress(slot)));
  }

  // <name>_run_packed(void **args): args[i] is the i-th pointer of _run.
  llvm::Function *runPacked = llvm::Function::Create(
      llvm::FunctionType::get(i32, {ptr}, false),
      llvm::GlobalValue::ExternalLinkage, manifest.runPackedSymbol, module);
  runPacked->addFnAttr(llvm::Attribute::NoUnwind);
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", runPacked));
    llvm::Value *packed = runPacked->getArg(0);
    packed->setName("args");
    llvm::SmallVector<llvm::Value *> args;
    for (size_t i = 0; i < numArgs; ++i)
      args.push_back(
          b.CreateLoad(ptr, b.CreateConstInBoundsGEP1_64(ptr, packed, i)));
    b.CreateRet(b.CreateCall(run, args));
  }
}

/// Adds the exported entry points around the lowered entry functions and
/// internalises everything else.
static llvm::Error addEntryPoints(llvm::Module &module,
                                  const ModelManifest &manifest) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
  std::vector<ModelManifest> entries = getEntryManifests(manifest);
  std::vector<llvm::Function *> impls;
  for (const ModelManifest &entry : entries) {
    llvm::Expected<llvm::Function *> impl = findEntryImpl(module, entry);
    if (!impl)
      return impl.takeError();
    impls.push_back(*impl);
  }
  for (auto [entry, impl] : llvm::zip_equal(entries, impls))
    impl->setName("__loom_" + entry.runSymbol + "_entry");
  // The model's own functions become internal, so they can give up a name
  // the library exports; a function it calls from outside cannot.
  std::vector<const std::string *> exported = {&manifest.errorMessageSymbol,
                                               &manifest.abiVersionSymbol};
  for (const ModelManifest &entry : entries)
    exported.insert(exported.end(), {&entry.runSymbol, &entry.runPackedSymbol,
                                     &entry.signatureSymbol});
  for (const std::string *symbol : exported) {
    llvm::GlobalValue *clash = module.getNamedValue(*symbol);
    if (!clash)
      continue;
    if (clash->isDeclaration())
      return makeError("the model uses an external symbol '" + *symbol +
                       "', a name the library exports (choose another "
                       "--name)");
    clash->setName(*symbol + ".model");
  }

  for (llvm::Function &f : module)
    if (!f.isDeclaration()) {
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
      f.setVisibility(llvm::GlobalValue::DefaultVisibility);
    }
  for (llvm::GlobalVariable &g : module.globals()) {
    if (g.isDeclaration() || g.getName().starts_with("llvm."))
      continue;
    // The kernels' thread pool synchronises its own state.
    if (g.getName().starts_with(kKernelGlobalPrefix)) {
      g.setLinkage(llvm::GlobalValue::InternalLinkage);
      continue;
    }
    // The header promises concurrent calls: only constants (the weights)
    // may be shared between them.
    if (!g.isConstant())
      return makeError("the lowered model keeps mutable global state (@" +
                       g.getName() +
                       "), so calls to the library would not be reentrant");
    g.setLinkage(llvm::GlobalValue::InternalLinkage);
    g.setVisibility(llvm::GlobalValue::DefaultVisibility);
  }

  auto *slot = new llvm::GlobalVariable(
      module, i32, /*isConstant=*/false, llvm::GlobalValue::InternalLinkage,
      llvm::ConstantInt::get(i32, 0), "__loom_runtime_error_code", nullptr,
      llvm::GlobalValue::GeneralDynamicTLSModel);
  if (llvm::Error e = defineRuntimeErrorFn(module, slot))
    return e;

  for (auto [entry, impl] : llvm::zip_equal(entries, impls))
    defineRunFunctions(module, entry, impl, slot);

  // <name>_error_message(code): the descriptions of RuntimeErrors.h.
  llvm::Function *message = llvm::Function::Create(
      llvm::FunctionType::get(ptr, {i32}, false),
      llvm::GlobalValue::ExternalLinkage, manifest.errorMessageSymbol, module);
  message->addFnAttr(llvm::Attribute::NoUnwind);
  {
    auto *entry = llvm::BasicBlock::Create(ctx, "entry", message);
    auto *unknown = llvm::BasicBlock::Create(ctx, "unknown", message);
    llvm::IRBuilder<> b(entry);
    llvm::SwitchInst *dispatch =
        b.CreateSwitch(message->getArg(0), unknown, kLastRuntimeError + 1);
    for (int32_t code = 0; code <= kLastRuntimeError; ++code) {
      auto *block = llvm::BasicBlock::Create(ctx, "code", message);
      b.SetInsertPoint(block);
      b.CreateRet(b.CreateGlobalString(describeRuntimeError(code)));
      dispatch->addCase(b.getInt32(code), block);
    }
    b.SetInsertPoint(unknown);
    b.CreateRet(b.CreateGlobalString("unknown loom runtime error"));
  }

  llvm::Function *version = llvm::Function::Create(
      llvm::FunctionType::get(i32, false), llvm::GlobalValue::ExternalLinkage,
      manifest.abiVersionSymbol, module);
  version->addFnAttr(llvm::Attribute::NoUnwind);
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", version));
    b.CreateRet(b.getInt32(static_cast<uint32_t>(kLoomABIVersion)));
  }

  for (const ModelManifest &entry : entries)
    defineModelSignature(module, entry);

  std::string verifierMessage;
  llvm::raw_string_ostream verifierStream(verifierMessage);
  if (llvm::verifyModule(module, &verifierStream))
    return makeError("the generated LLVM IR is invalid: " + verifierMessage);
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<llvm::Module>>
mlir::loom::lowerToLLVMModule(ModuleOp module, const ModelManifest &manifest,
                              llvm::TargetMachine &targetMachine,
                              const CPUTargetOptions &options,
                              llvm::LLVMContext &llvmContext) {
  llvm::Expected<OwningOpRef<ModuleOp>> lowered =
      lowerToLLVMDialect(module, manifest, options.reference);
  if (!lowered)
    return lowered.takeError();
  MLIRContext *context = module.getContext();
  registerBuiltinDialectTranslation(*context);
  registerLLVMDialectTranslation(*context);
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(**lowered, llvmContext, manifest.name);
  if (!llvmModule)
    return makeError("translation to LLVM IR failed");
  llvmModule->setTargetTriple(targetMachine.getTargetTriple());
  llvmModule->setDataLayout(targetMachine.createDataLayout());
  // Before the entry points: they internalise the kernels with the rest.
  if (llvm::Error e =
          linkCPUKernels(*llvmModule, targetMachine, options.numThreads))
    return std::move(e);
  if (llvm::Error e = addEntryPoints(*llvmModule, manifest))
    return std::move(e);
  auto optimize = makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0,
                                            &targetMachine);
  if (llvm::Error e = optimize(llvmModule.get()))
    return makeError("LLVM optimisation failed: " +
                     llvm::toString(std::move(e)));
  return llvmModule;
}

llvm::Error mlir::loom::writeObjectFile(llvm::Module &module,
                                        llvm::TargetMachine &targetMachine,
                                        llvm::StringRef path) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return makeError(path + ": cannot write: " + ec.message());
  llvm::legacy::PassManager pm;
  if (targetMachine.addPassesToEmitFile(pm, os, nullptr,
                                        llvm::CodeGenFileType::ObjectFile))
    return makeError("the LLVM target cannot emit object files");
  pm.run(module);
  std::string message = closeAndTakeWriteError(os);
  if (!message.empty())
    return makeError(path + ": write failed: " + message);
  return llvm::Error::success();
}

/// The linker's output, whole.
static std::string readLog(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  return buffer ? (*buffer)->getBuffer().str() : std::string();
}

/// The linker's output on one line: its non-empty lines joined by " | ",
/// shortened to a readable length.
static std::string summarizeLog(llvm::StringRef log) {
  llvm::SmallVector<llvm::StringRef> lines;
  log.split(lines, '\n', -1, /*KeepEmpty=*/false);
  std::string summary;
  for (llvm::StringRef line : lines) {
    line = line.trim();
    if (line.empty())
      continue;
    if (!summary.empty())
      summary += " | ";
    summary += line.str();
  }
  constexpr size_t kLimit = 600;
  if (summary.size() > kLimit)
    summary = summary.substr(0, kLimit) + " ...";
  return summary;
}

/// The symbols the linker reports as undefined, each once, in order of first
/// mention. Scans the whole log: a summary may cut a name short.
static llvm::SmallVector<std::string> undefinedSymbols(llvm::StringRef log) {
  llvm::SmallVector<std::string> undefined;
  for (llvm::StringRef marker :
       {"undefined reference to `", "undefined symbol: "}) {
    llvm::StringRef rest = log;
    while (true) {
      size_t at = rest.find(marker);
      if (at == llvm::StringRef::npos)
        break;
      rest = rest.drop_front(at + marker.size());
      std::string symbol =
          rest.take_until([](char c) {
                return c == '\'' || c == ' ' || c == '\n' || c == '\r';
              })
              .str();
      if (!symbol.empty() && !llvm::is_contained(undefined, symbol))
        undefined.push_back(symbol);
    }
  }
  return undefined;
}

llvm::Error mlir::loom::linkSharedLibrary(
    llvm::StringRef linker, llvm::StringRef objectPath,
    llvm::StringRef libraryPath, llvm::StringRef soname,
    llvm::StringRef logPath, llvm::ArrayRef<llvm::StringRef> extraLibraries) {
  std::string program;
  if (linker.contains('/')) {
    if (!llvm::sys::fs::can_execute(linker))
      return makeError("linker '" + linker +
                       "' does not exist or is not executable (pass "
                       "--linker=PATH to a C compiler driver such as clang)");
    program = linker.str();
  } else {
    llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName(linker);
    if (!found)
      return makeError("linker '" + linker +
                       "' not found in PATH (pass --linker=PATH to a C "
                       "compiler driver such as clang)");
    program = *found;
  }
  std::string sonameFlag = ("-Wl,-soname," + soname).str();
  // --no-undefined: a symbol that libc/libm do not define is a link error
  // here, not a dlopen failure on the user's machine. --as-needed before -lm:
  // libm is a dependency only when the model calls it.
  llvm::SmallVector<llvm::StringRef> args = {program,
                                             "-shared",
                                             "-o",
                                             libraryPath,
                                             objectPath,
                                             sonameFlag,
                                             "-Wl,--no-undefined",
                                             "-Wl,-z,noexecstack",
                                             "-Wl,--as-needed",
                                             "-lm"};
  args.append(extraLibraries.begin(), extraLibraries.end());
  std::string errorMessage;
  bool executionFailed = false;
  std::optional<llvm::StringRef> redirects[] = {llvm::StringRef(""), logPath,
                                                logPath};
  int status = llvm::sys::ExecuteAndWait(
      program, args, /*Env=*/std::nullopt, redirects, /*SecondsToWait=*/0,
      /*MemoryLimit=*/0, &errorMessage, &executionFailed);
  if (executionFailed)
    return makeError("cannot run linker '" + program + "': " + errorMessage);
  if (status != 0) {
    std::string fullLog = readLog(logPath);
    // Name the missing symbols instead of quoting every reference to them.
    llvm::SmallVector<std::string> undefined = undefinedSymbols(fullLog);
    std::string log = summarizeLog(fullLog);
    if (!undefined.empty()) {
      std::string names;
      for (const std::string &symbol : undefined)
        names += (names.empty() ? "" : ", ") + symbol;
      return makeError("linking " + llvm::sys::path::filename(libraryPath) +
                       " failed: the model calls functions that neither it "
                       "nor libc/libm define: " +
                       names);
    }
    std::string why =
        status < 0 ? errorMessage : "exit status " + std::to_string(status);
    return makeError("linking " + llvm::sys::path::filename(libraryPath) +
                     " with '" + program + "' failed (" + why + ")" +
                     (log.empty() ? "" : ": " + log));
  }
  return llvm::Error::success();
}
