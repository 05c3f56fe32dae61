//===- CUDATarget.cpp - The `cuda` target of loomc ------------------------===//
//
// loom IR on tensors -> loom-gpu-pipeline up to NVVM -> every kernel to PTX
// and to a cubin (gpu-module-to-binary, twice) -> the host function to LLVM
// IR on the CUDA host runtime (convert-gpu-host-to-loom-cuda) -> the runtime's
// bitcode linked in, the model's descriptor (kernel images, buffer sizes)
// and the C entry points added -> host object -> model.so, linked with the C
// compiler driver like the CPU target's libraries.
//
// This file is the TargetBackend glue: the passes and the packaging of the
// output directory. KernelDescriptions.cpp describes the kernels,
// ModelDescriptor.cpp and EntryPoints.cpp build model.so's LLVM IR and
// KernelsHeader.cpp writes kernels.h and NAME.h.
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

#include "EntryPoints.h"
#include "KernelDescriptions.h"

#include "loom/Conversion/Passes.h"
#include "loom/Pipelines/Pipelines.h"
#include "loom/Support/Errors.h"
#include "loom/Target/CPU/CPUTarget.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
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

//===----------------------------------------------------------------------===//
// Serialisation
//===----------------------------------------------------------------------===//

/// A copy of `module` reduced to the model function and lowered with
/// loom-gpu-pipeline up to NVVM (kernels outlined, not yet serialised).
static llvm::Expected<OwningOpRef<ModuleOp>>
lowerToNVVM(ModuleOp module, const ModelManifest &manifest,
            const TargetOptions &options) {
  llvm::Expected<OwningOpRef<ModuleOp>> lowered =
      cloneForEntryPoint(module, manifest);
  if (!lowered)
    return lowered.takeError();
  PassManager pm(module.getContext());
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
  return lowered;
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

/// Fills in every kernel's PTX and cubin from `module`'s kernel modules.
static llvm::Error addKernelObjects(ModuleOp module,
                                    const GPUPipelineOptions &pipeline,
                                    std::vector<CUDAKernel> &kernels) {
  auto ptx = serializeKernels(module, "isa", pipeline);
  if (!ptx)
    return ptx.takeError();
  auto cubins = serializeKernels(module, "bin", pipeline);
  if (!cubins)
    return cubins.takeError();
  for (CUDAKernel &kernel : kernels) {
    kernel.ptx = (*ptx)[kernel.symbol];
    kernel.cubin = (*cubins)[kernel.symbol];
    if (kernel.function.empty() || kernel.ptx.empty() || kernel.cubin.empty())
      return makeError("kernel module @" + kernel.symbol +
                       " has no kernel function, PTX or cubin");
  }
  return llvm::Error::success();
}

/// Lowers the host code to the LLVM dialect on the CUDA host runtime's
/// calls and drops the kernel modules, which travel in the descriptor, not
/// as gpu.module/gpu.binary.
static llvm::Error lowerHostCode(ModuleOp module) {
  PassManager pm(module.getContext());
  OpPassManager &host = pm.nest<func::FuncOp>();
  host.addPass(createLowerAffinePass());
  host.addPass(createSCFToControlFlowPass());
  host.addPass(memref::createExpandStridedMetadataPass());
  host.addPass(createLowerAffinePass());
  pm.addPass(createConvertGPUHostToLoomCUDA());
  pm.addPass(createReconcileUnrealizedCastsPass());
  if (failed(pm.run(module)))
    return makeError("lowering the host code failed");
  for (Operation &op :
       llvm::make_early_inc_range(module.getBody()->getOperations()))
    if (isa<gpu::GPUModuleOp, gpu::BinaryOp>(op))
      op.erase();
  module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
  return llvm::Error::success();
}

/// The host code as LLVM IR for `targetMachine`.
static llvm::Expected<std::unique_ptr<llvm::Module>>
translateHostCode(ModuleOp module, const ModelManifest &manifest,
                  llvm::TargetMachine &targetMachine,
                  llvm::LLVMContext &llvmContext) {
  MLIRContext *context = module.getContext();
  registerBuiltinDialectTranslation(*context);
  registerLLVMDialectTranslation(*context);
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, manifest.name);
  if (!llvmModule)
    return makeError("translation of the host code to LLVM IR failed");
  llvmModule->setTargetTriple(targetMachine.getTargetTriple());
  llvmModule->setDataLayout(targetMachine.createDataLayout());
  return llvmModule;
}

/// --cuda-graph: a graph replays launches; a host decision on a GPU value
/// cannot be replayed.
static llvm::Error checkGraphCapturable(const llvm::Module &module,
                                        const ModelManifest &manifest) {
  if (const llvm::Function *read = module.getFunction("loom_cuda_memcpy");
      read && !read->use_empty())
    return makeError("--cuda-graph: @" + manifest.function +
                     " reads a GPU value on the host (the KV cache's "
                     "capacity check), which a CUDA graph cannot capture; "
                     "compile it without --cuda-graph");
  return llvm::Error::success();
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
    if (llvm::Error e = checkNoHLSOptions(options, "cuda"))
      return e;
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
        lowerToNVVM(module, manifest, options);
    if (!lowered)
      return lowered.takeError();
    renameKernels(**lowered);
    std::vector<CUDAKernel> kernels;
    if (llvm::Error e = describeKernels(**lowered, manifest, kernels))
      return std::move(e);
    CUDAWeights weights = countWeights(**lowered);

    startPhase("kernels to PTX and cubins (ptxas)");
    if (llvm::Error e = addKernelObjects(**lowered, pipeline, kernels))
      return std::move(e);

    startPhase("host code to LLVM IR, host runtime, LLVM -O" +
               std::to_string(options.optLevel));
    if (llvm::Error e = lowerHostCode(**lowered))
      return std::move(e);
    auto llvmContext = std::make_unique<llvm::LLVMContext>();
    llvm::Expected<std::unique_ptr<llvm::Module>> llvmModule =
        translateHostCode(**lowered, manifest, **targetMachine, *llvmContext);
    if (!llvmModule)
      return llvmModule.takeError();
    if (options.cudaGraph)
      if (llvm::Error e = checkGraphCapturable(**llvmModule, manifest))
        return std::move(e);
    if (llvm::Error e = linkHostRuntime(**llvmModule))
      return std::move(e);
    if (llvm::Error e =
            addEntryPoints(**llvmModule, manifest, pipeline.gpuArch, kernels,
                           weights.count, options.cudaGraph))
      return std::move(e);
    auto optimize =
        makeOptimizingTransformer(options.optLevel,
                                  /*sizeLevel=*/0, targetMachine->get());
    if (llvm::Error e = optimize(llvmModule->get()))
      return makeError("LLVM optimisation failed: " +
                       llvm::toString(std::move(e)));
    return std::make_unique<CUDAArtifact>(
        std::move(*targetMachine), std::move(llvmContext),
        std::move(*llvmModule), std::move(kernels), weights.count,
        weights.bytes, pipeline.gpuArch, manifest.name, options);
  }
};
} // namespace

std::unique_ptr<TargetBackend> mlir::loom::createCUDATargetBackend() {
  return std::make_unique<CUDABackend>();
}
