//===- JitRunner.cpp - Run loom IR on the host CPU ------------------------===//

#include "loom/Runtime/JitRunner.h"
#include "loom/InitAllDialects.h"
#include "loom/Pipelines/Pipelines.h"
#include "loom/Runtime/RuntimeErrors.h"
#include "loom/Support/Errors.h"
#include "loom/Target/CPU/KernelLibrary.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

using namespace mlir;
using namespace mlir::loom;

/// The error code compiled code reported during the current run.
static std::atomic<int32_t> lastRuntimeError{0};

extern "C" void loomRunnerRuntimeError(int32_t code) {
  int32_t expected = 0;
  // Keep the first error of a run: later ones are usually consequences.
  lastRuntimeError.compare_exchange_strong(expected, code);
}

std::optional<DType> mlir::loom::getDTypeFor(Type t) {
  if (t.isF16())
    return DType::F16;
  if (t.isF32())
    return DType::F32;
  if (t.isF64())
    return DType::F64;
  if (t.isInteger(1))
    return DType::Bool;
  if (t.isSignlessInteger(8) || t.isSignedInteger(8))
    return DType::I8;
  if (t.isUnsignedInteger(8))
    return DType::U8;
  if (t.isSignlessInteger(16))
    return DType::I16;
  if (t.isSignlessInteger(32))
    return DType::I32;
  if (t.isSignlessInteger(64))
    return DType::I64;
  return std::nullopt;
}

/// The dtype of argument (or result) `i` of `func` as it crosses the ABI: the
/// element type's, except that i8 tensors the ONNX importer marked
/// `onnx.unsigned` are uint8.
static DType abiDType(func::FuncOp func, unsigned i, bool isResult) {
  Type t = isResult ? func.getFunctionType().getResult(i)
                    : func.getFunctionType().getInput(i);
  DType d = *getDTypeFor(cast<RankedTensorType>(t).getElementType());
  bool isUnsigned = isResult ? func.getResultAttr(i, "onnx.unsigned") != nullptr
                             : func.getArgAttr(i, "onnx.unsigned") != nullptr;
  return d == DType::I8 && isUnsigned ? DType::U8 : d;
}

static std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

/// Checks that every argument and result of `func` crosses the ABI.
static llvm::Error checkSignature(func::FuncOp func) {
  auto check = [&](Type t, StringRef what, unsigned i) -> llvm::Error {
    auto tensor = dyn_cast<RankedTensorType>(t);
    if (!tensor || !tensor.hasStaticShape() ||
        !getDTypeFor(tensor.getElementType()))
      return makeError("@" + func.getName() + " " + what + " " +
                       llvm::Twine(i) + " has type " + typeString(t) +
                       "; loom-run passes only statically shaped tensors of "
                       "f16/f32/f64/i1/i8/i16/i32/i64/ui8");
    return llvm::Error::success();
  };
  FunctionType type = func.getFunctionType();
  for (auto [i, t] : llvm::enumerate(type.getInputs()))
    if (llvm::Error e = check(t, "argument", i))
      return e;
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    if (llvm::Error e = check(t, "result", i))
      return e;
  return llvm::Error::success();
}

static llvm::Expected<func::FuncOp> lookupEntry(ModuleOp module,
                                                StringRef entry) {
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func || func.isExternal())
    return makeError("no function @" + entry + " with a body in the module");
  if (llvm::Error e = checkSignature(func))
    return std::move(e);
  return func;
}

llvm::Expected<std::vector<RankedTensorType>>
mlir::loom::getEntryArgumentTypes(ModuleOp module, StringRef entry) {
  auto func = lookupEntry(module, entry);
  if (!func)
    return func.takeError();
  std::vector<RankedTensorType> types;
  for (Type t : func->getFunctionType().getInputs())
    types.push_back(cast<RankedTensorType>(t));
  return types;
}

namespace {
/// Storage for one expanded memref descriptor: allocated pointer, aligned
/// pointer, offset, sizes, strides (what the LLVM lowering of a memref argument
/// expands to), plus the pointers to each field that invokePacked takes.
struct Descriptor {
  std::vector<int64_t> fields;
  Descriptor(void *data, ArrayRef<int64_t> shape) {
    fields.push_back(reinterpret_cast<int64_t>(data));
    fields.push_back(reinterpret_cast<int64_t>(data));
    fields.push_back(0);
    fields.insert(fields.end(), shape.begin(), shape.end());
    std::vector<int64_t> strides(shape.size(), 1);
    for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i)
      strides[i] = strides[i + 1] * shape[i + 1];
    fields.insert(fields.end(), strides.begin(), strides.end());
  }
  void appendArgs(std::vector<void *> &args) {
    for (int64_t &f : fields)
      args.push_back(&f);
  }
};
} // namespace

namespace {
struct ArgSpec {
  DType dtype;
  std::vector<int64_t> shape;
  std::string typeText;
};
} // namespace

struct JitModule::Impl {
  std::unique_ptr<MLIRContext> ownContext;
  std::string entry;
  std::vector<ArgSpec> inputs, results;
  std::unique_ptr<ExecutionEngine> engine;
};

JitModule::JitModule() : impl(std::make_unique<Impl>()) {}
JitModule::~JitModule() = default;

/// `module` printed as bytecode and parsed into `ctx`: a copy that shares
/// nothing with the caller's context.
static llvm::Expected<OwningOpRef<ModuleOp>> copyIntoContext(ModuleOp module,
                                                             MLIRContext &ctx) {
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  if (failed(writeBytecodeToFile(module, os)))
    return makeError("cannot serialise the module for the JIT");
  ParserConfig config(&ctx);
  OwningOpRef<ModuleOp> copy = parseSourceString<ModuleOp>(bytes, config);
  if (!copy)
    return makeError("cannot reparse the module for the JIT");
  return copy;
}

llvm::Expected<std::unique_ptr<JitModule>>
JitModule::compile(ModuleOp module, StringRef entry, bool reference,
                   bool isolate, StringRef fixedPoint) {
  CPUPipelineOptions pipelineOptions;
  pipelineOptions.reference = reference;
  pipelineOptions.fixedPoint = fixedPoint.str();
  if (llvm::Error e = checkCPUPipelineOptions(pipelineOptions))
    return makeError("loom-cpu-pipeline: " + llvm::toString(std::move(e)));
  std::unique_ptr<JitModule> jit(new JitModule());
  Impl &impl = *jit->impl;
  impl.entry = entry.str();
  OwningOpRef<ModuleOp> lowered;
  if (isolate) {
    DialectRegistry registry;
    mlir::loom::registerAllDialects(registry);
    impl.ownContext = std::make_unique<MLIRContext>(
        registry, MLIRContext::Threading::DISABLED);
    impl.ownContext->loadAllAvailableDialects();
    auto copy = copyIntoContext(module, *impl.ownContext);
    if (!copy)
      return copy.takeError();
    lowered = std::move(*copy);
  } else {
    // Lower a clone: the caller's module stays as it was.
    lowered = OwningOpRef<ModuleOp>(cast<ModuleOp>(module->clone()));
  }
  auto funcOr = lookupEntry(*lowered, entry);
  if (!funcOr)
    return funcOr.takeError();
  FunctionType type = funcOr->getFunctionType();
  for (auto [i, t] : llvm::enumerate(type.getInputs())) {
    auto tensor = cast<RankedTensorType>(t);
    impl.inputs.push_back({abiDType(*funcOr, i, /*isResult=*/false),
                           std::vector<int64_t>(tensor.getShape().begin(),
                                                tensor.getShape().end()),
                           typeString(tensor)});
  }
  for (auto [i, t] : llvm::enumerate(type.getResults())) {
    auto tensor = cast<RankedTensorType>(t);
    impl.results.push_back({abiDType(*funcOr, i, /*isResult=*/true),
                            std::vector<int64_t>(tensor.getShape().begin(),
                                                 tensor.getShape().end()),
                            typeString(tensor)});
  }

  MLIRContext *ctx = lowered->getContext();
  {
    std::string diagText;
    llvm::raw_string_ostream diagOs(diagText);
    ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &diag) {
      diagOs << diag.getLocation() << ": " << diag.str() << "\n";
      for (Diagnostic &note : diag.getNotes())
        diagOs << "  note: " << note.str() << "\n";
      return success();
    });
    PassManager pm(ctx);
    buildCPUPipeline(pm, pipelineOptions);
    if (failed(pm.run(*lowered)))
      return makeError("lowering with loom-cpu-pipeline failed:\n" + diagText);
  }

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  registerBuiltinDialectTranslation(*ctx);
  registerLLVMDialectTranslation(*ctx);
  // The host's TargetMachine: the kernels are compiled for this CPU, and the
  // optimiser vectorises for it.
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return makeError("cannot describe the host CPU: " +
                     llvm::toString(builder.takeError()));
  auto targetMachine = builder->createTargetMachine();
  if (!targetMachine)
    return makeError("cannot create a TargetMachine for the host: " +
                     llvm::toString(targetMachine.takeError()));
  auto transformer = makeOptimizingTransformer(/*optLevel=*/2, /*sizeLevel=*/0,
                                               targetMachine->get());
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  std::string linkError;
  // A function_ref in the options: the builder must outlive create().
  auto moduleBuilder =
      [&](Operation *op,
          llvm::LLVMContext &llvmContext) -> std::unique_ptr<llvm::Module> {
    std::unique_ptr<llvm::Module> llvmModule =
        translateModuleToLLVMIR(op, llvmContext, "LoomJitModule");
    if (!llvmModule)
      return nullptr;
    llvmModule->setDataLayout((*targetMachine)->createDataLayout());
    llvmModule->setTargetTriple((*targetMachine)->getTargetTriple());
    if (llvm::Error e = linkCPUKernels(*llvmModule, **targetMachine,
                                       /*numThreads=*/0)) {
      linkError = llvm::toString(std::move(e));
      return nullptr;
    }
    return llvmModule;
  };
  engineOptions.llvmModuleBuilder = moduleBuilder;
  auto engineOr = ExecutionEngine::create(*lowered, engineOptions);
  if (!engineOr)
    return makeError(
        "JIT compilation failed: " +
        (linkError.empty() ? llvm::toString(engineOr.takeError()) : linkError));
  impl.engine = std::move(*engineOr);
  impl.engine->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap map;
    map[interner(kRuntimeErrorFnName)] = {
        llvm::orc::ExecutorAddr::fromPtr(&loomRunnerRuntimeError),
        llvm::JITSymbolFlags::Exported};
    return map;
  });
  impl.engine->initialize();
  return jit;
}

llvm::Expected<JitRunResult> JitModule::run(ArrayRef<NpyArray> inputs) const {
  const Impl &impl = *this->impl;
  if (inputs.size() != impl.inputs.size())
    return makeError("@" + impl.entry + " takes " +
                     llvm::Twine(impl.inputs.size()) + " arguments but " +
                     llvm::Twine(inputs.size()) + " inputs were given");
  for (auto [i, spec] : llvm::enumerate(impl.inputs)) {
    const NpyArray &in = inputs[i];
    if (in.dtype != spec.dtype || in.shape != spec.shape)
      return makeError("input " + llvm::Twine(i) + " is " + in.shapeString() +
                       " " + dtypeName(in.dtype) + " but argument " +
                       llvm::Twine(i) + " of @" + impl.entry + " is " +
                       spec.typeText);
  }

  // Inputs are copied so compiled code may update them in place.
  std::vector<NpyArray> inputCopies(inputs.begin(), inputs.end());
  JitRunResult result;
  std::vector<Descriptor> descriptors;
  descriptors.reserve(impl.inputs.size() + impl.results.size());
  for (auto [i, spec] : llvm::enumerate(impl.inputs))
    descriptors.emplace_back(inputCopies[i].data.data(), spec.shape);
  for (const ArgSpec &spec : impl.results) {
    NpyArray out = makeNpyArray(spec.dtype, spec.shape);
    // Poison: an element the code fails to write shows up as NaN or garbage.
    std::memset(out.data.data(), 0xff, out.data.size());
    result.outputs.push_back(std::move(out));
  }
  for (auto [i, spec] : llvm::enumerate(impl.results))
    descriptors.emplace_back(result.outputs[i].data.data(), spec.shape);
  std::vector<void *> args;
  for (Descriptor &d : descriptors)
    d.appendArgs(args);

  lastRuntimeError = 0;
  if (llvm::Error e = impl.engine->invokePacked(impl.entry, args))
    return makeError("invoking @" + impl.entry +
                     " failed: " + llvm::toString(std::move(e)));
  result.runtimeError = lastRuntimeError.load();
  return result;
}

llvm::Expected<JitRunResult> mlir::loom::runOnCPU(ModuleOp module,
                                                  StringRef entry,
                                                  ArrayRef<NpyArray> inputs,
                                                  bool reference,
                                                  StringRef fixedPoint) {
  auto funcOr = lookupEntry(module, entry);
  if (!funcOr)
    return funcOr.takeError();
  FunctionType type = funcOr->getFunctionType();
  if (inputs.size() != type.getNumInputs())
    return makeError("@" + entry + " takes " +
                     llvm::Twine(type.getNumInputs()) + " arguments but " +
                     llvm::Twine(inputs.size()) + " inputs were given");
  // Check the inputs before paying for the compilation.
  for (auto [i, t] : llvm::enumerate(type.getInputs())) {
    auto tensor = cast<RankedTensorType>(t);
    const NpyArray &in = inputs[i];
    DType want = abiDType(*funcOr, i, /*isResult=*/false);
    if (in.dtype != want || ArrayRef<int64_t>(in.shape) != tensor.getShape())
      return makeError("input " + llvm::Twine(i) + " is " + in.shapeString() +
                       " " + dtypeName(in.dtype) + " but argument " +
                       llvm::Twine(i) + " of @" + entry + " is " +
                       typeString(tensor));
  }
  auto jit = JitModule::compile(module, entry, reference, /*isolate=*/false,
                                fixedPoint);
  if (!jit)
    return jit.takeError();
  return (*jit)->run(inputs);
}
