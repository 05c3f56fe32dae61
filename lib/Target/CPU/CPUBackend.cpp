//===- CPUBackend.cpp - The `cpu` target of loomc -------------------------===//
//
// loomc's CPU target on the TargetBackend interface: loom-cpu-pipeline,
// LLVM IR with the C ABI entry points (CPUTarget.cpp), and an output
// directory of NAME.so, NAME.h (and NAME.a with --static).
//
//===----------------------------------------------------------------------===//

#include "loom/Target/CPU/CPUTarget.h"

#include "loom/Pipelines/Pipelines.h"
#include "loom/Support/Errors.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace mlir::loom;

static CPUTargetOptions getCPUOptions(const TargetOptions &options) {
  CPUTargetOptions cpu;
  cpu.optLevel = options.optLevel;
  cpu.cpu = options.cpu;
  cpu.reference = options.reference;
  cpu.numThreads = options.numThreads;
  return cpu;
}

llvm::Error mlir::loom::writeStaticLibrary(llvm::StringRef objectPath,
                                           llvm::StringRef libraryPath) {
  llvm::Expected<llvm::NewArchiveMember> member =
      llvm::NewArchiveMember::getFile(objectPath, /*Deterministic=*/true);
  if (!member)
    return makeError("cannot read " + objectPath + ": " +
                     llvm::toString(member.takeError()));
  llvm::NewArchiveMember members[] = {std::move(*member)};
  if (llvm::Error e = llvm::writeArchive(
          libraryPath, members, llvm::SymtabWritingMode::NormalSymtab,
          llvm::object::Archive::K_GNU, /*Deterministic=*/true,
          /*Thin=*/false))
    return makeError("cannot write " + libraryPath + ": " +
                     llvm::toString(std::move(e)));
  return llvm::Error::success();
}

namespace {
/// The optimised LLVM module of a model, ready for code generation.
class CPUArtifact : public TargetArtifact {
public:
  CPUArtifact(std::unique_ptr<llvm::TargetMachine> targetMachine,
              std::unique_ptr<llvm::LLVMContext> llvmContext,
              std::unique_ptr<llvm::Module> llvmModule,
              const TargetOptions &options)
      : targetMachine(std::move(targetMachine)),
        llvmContext(std::move(llvmContext)), llvmModule(std::move(llvmModule)),
        options(options) {}

  void printLLVMIR(llvm::raw_ostream &os) const override {
    llvmModule->print(os, nullptr);
  }

  llvm::Error package(OutputFiles &out, ModelManifest &manifest,
                      PhaseCallback startPhase) override {
    if (llvm::Error e =
            out.writeFile(manifest.header, generateCHeader(manifest)))
      return e;
    std::string objectPath = out.getPath(manifest.name + ".o");
    startPhase("code generation (object file)");
    if (llvm::Error e =
            writeObjectFile(*llvmModule, *targetMachine, objectPath))
      return e;
    startPhase("link");
    if (options.emitStatic)
      if (llvm::Error e =
              writeStaticLibrary(objectPath, out.getPath(manifest.name + ".a")))
        return e;
    std::string logPath = out.getPath("link.log");
    std::string linker =
        options.linker.empty() ? getDefaultLinker().str() : options.linker;
    // --generate: the cache API, C compiled by the same driver, stays in
    // the directory as documentation.
    std::vector<std::string> extra;
    if (manifest.generate) {
      std::string source = manifest.name + "_cache.c";
      if (llvm::Error e =
              out.writeFile(source, generateCacheRuntimeSource(manifest)))
        return e;
      extra = {"-O2", "-fPIC", "-std=c99", "-I" + out.getPath(""),
               out.getPath(source)};
    }
    llvm::SmallVector<llvm::StringRef> extraArgs(extra.begin(), extra.end());
    if (llvm::Error e =
            linkSharedLibrary(linker, objectPath, out.getPath(manifest.library),
                              manifest.library, logPath, extraArgs))
      return e;
    llvm::sys::fs::remove(objectPath);
    llvm::sys::fs::remove(logPath);
    return llvm::Error::success();
  }

private:
  std::unique_ptr<llvm::TargetMachine> targetMachine;
  std::unique_ptr<llvm::LLVMContext> llvmContext;
  std::unique_ptr<llvm::Module> llvmModule;
  TargetOptions options;
};

class CPUBackend : public TargetBackend {
public:
  llvm::StringRef getName() const override { return "cpu"; }
  llvm::StringRef getDisplayName() const override { return "the CPU"; }

  llvm::Error checkOptions(const TargetOptions &options) const override {
    if (!options.gpuArch.empty())
      return makeError("--gpu-arch applies to --target=cuda, not cpu");
    if (!options.cudaPath.empty())
      return makeError("--cuda-path applies to --target=cuda, not cpu");
    if (options.cudaGraph)
      return makeError("--cuda-graph applies to --target=cuda, not cpu");
    if (!options.dtype.empty())
      return makeError("--dtype applies to --target=cuda, not cpu");
    if (llvm::Error e = checkNoHLSOptions(options, "cpu"))
      return e;
    // An unknown --mcpu is an error here, before the compile.
    auto targetMachine = createCPUTargetMachine(getCPUOptions(options));
    if (!targetMachine)
      return targetMachine.takeError();
    return llvm::Error::success();
  }

  void buildPipeline(OpPassManager &pm,
                     const TargetOptions &options) const override {
    CPUPipelineOptions pipeline;
    pipeline.resultsToOutParams = true;
    pipeline.reference = options.reference;
    buildCPUPipeline(pm, pipeline);
  }

  llvm::Expected<std::unique_ptr<TargetArtifact>>
  serialize(ModuleOp module, ModelManifest &manifest,
            const TargetOptions &options,
            PhaseCallback startPhase) const override {
    CPUTargetOptions cpu = getCPUOptions(options);
    auto targetMachine = createCPUTargetMachine(cpu);
    if (!targetMachine)
      return targetMachine.takeError();
    manifest.triple = (*targetMachine)->getTargetTriple().str();
    manifest.cpu = (*targetMachine)->getTargetCPU().str();
    startPhase("loom-cpu-pipeline, LLVM IR, kernels, LLVM -O" +
               std::to_string(options.optLevel));
    auto llvmContext = std::make_unique<llvm::LLVMContext>();
    auto lowered =
        lowerToLLVMModule(module, manifest, **targetMachine, cpu, *llvmContext);
    if (!lowered)
      return lowered.takeError();
    return std::make_unique<CPUArtifact>(std::move(*targetMachine),
                                         std::move(llvmContext),
                                         std::move(*lowered), options);
  }
};
} // namespace

std::unique_ptr<TargetBackend> mlir::loom::createCPUTargetBackend() {
  return std::make_unique<CPUBackend>();
}
