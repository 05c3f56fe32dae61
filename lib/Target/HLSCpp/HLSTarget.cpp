//===- HLSTarget.cpp - The `hls` target of loomc --------------------------===//
//
// loomc's HLS target on the TargetBackend interface: loom-hls-pipeline to
// directed loop IR, the estimate of that IR, EmitC and the HLS C++
// translation; an output directory of NAME.cpp (the kernel: one top
// function), NAME.h, loom_hls.h, NAME_tb.cpp, run_csim.sh, estimate.json
// and manifest.json. docs/HLS.md.
//
//===----------------------------------------------------------------------===//

#include "loom/Target/HLSCpp/HLSTarget.h"

#include "loom/Conversion/Passes.h"
#include "loom/HLS/Passes.h"
#include "loom/HLS/Precision.h"
#include "loom/Pipelines/Pipelines.h"
#include "loom/Support/Errors.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"

using namespace mlir;
using namespace mlir::loom;

#ifndef LOOM_HLS_AP_TYPES_DIR
#define LOOM_HLS_AP_TYPES_DIR ""
#endif

static void setPipelineOptions(HLSPipelineOptions &pipeline,
                               const TargetOptions &options) {
  const TargetOptions::HLS &hls = options.hls;
  if (!hls.precision.empty())
    pipeline.precision = hls.precision;
  if (!hls.rounding.empty())
    pipeline.rounding = hls.rounding;
  if (!hls.overflow.empty())
    pipeline.overflow = hls.overflow;
  if (hls.ii)
    pipeline.ii = hls.ii;
  if (hls.unroll >= 0)
    pipeline.unroll = hls.unroll;
  pipeline.dataflow = hls.dataflow;
}

static std::string getPart(const TargetOptions &options) {
  return options.hls.part.empty() ? "u280" : options.hls.part;
}

namespace {
class HLSArtifact : public TargetArtifact {
public:
  HLSArtifact(std::string kernel, std::string cppType,
              OwningOpRef<ModuleOp> loops, TargetOptions options)
      : kernel(std::move(kernel)), cppType(std::move(cppType)),
        loops(std::move(loops)), options(std::move(options)) {}

  void printLLVMIR(llvm::raw_ostream &os) const override {
    // validateOptions rejects --emit=llvm for this target.
    os << kernel;
  }

  llvm::Error package(OutputFiles &out, ModelManifest &manifest,
                      PhaseCallback startPhase) override {
    const std::string &name = manifest.name;
    std::string header = name + ".h";
    manifest.library = name + ".cpp";
    manifest.header = header;
    startPhase("HLS C++, testbench and C simulation script");
    for (auto [file, contents] :
         {std::pair<std::string, std::string>{name + ".cpp", kernel},
          {header, generateHLSKernelHeader(manifest, cppType)},
          {"loom_hls.h", getHLSSupportHeader().str()},
          {name + "_tb.cpp", generateHLSTestbench(manifest, header)},
          {"run_csim.sh",
           generateHLSCSimScript(manifest, LOOM_HLS_AP_TYPES_DIR)}})
      if (llvm::Error e = out.writeFile(file, contents))
        return e;
    if (std::error_code ec = llvm::sys::fs::setPermissions(
            out.getPath("run_csim.sh"), llvm::sys::fs::all_read |
                                            llvm::sys::fs::all_exe |
                                            llvm::sys::fs::owner_write))
      return makeError("cannot make run_csim.sh executable: " + ec.message());

    startPhase("loom-hls-estimate");
    PassManager pm(loops->getContext());
    LoomHLSEstimateOptions estimate;
    estimate.part = getPart(options);
    estimate.json = out.getPath("estimate.json");
    estimate.table = false;
    pm.addPass(createLoomHLSEstimate(estimate));
    if (failed(pm.run(*loops)))
      return makeError("loom-hls-estimate failed");
    return llvm::Error::success();
  }

  llvm::json::Object getManifestExtension() const override {
    HLSPipelineOptions pipeline;
    setPipelineOptions(pipeline, options);
    llvm::json::Object hls;
    hls["precision"] = pipeline.precision.getValue();
    hls["cpp_type"] = cppType;
    hls["ii"] = static_cast<int64_t>(pipeline.ii);
    hls["unroll"] = static_cast<int64_t>(pipeline.unroll);
    hls["dataflow"] = static_cast<bool>(pipeline.dataflow);
    hls["part"] = getPart(options);
    hls["support_header"] = "loom_hls.h";
    hls["csim"] = "run_csim.sh";
    hls["estimate"] = "estimate.json";
    llvm::json::Object root;
    root["hls"] = std::move(hls);
    return root;
  }

private:
  std::string kernel;
  std::string cppType;
  /// The directed loop IR, which the estimate reads.
  OwningOpRef<ModuleOp> loops;
  TargetOptions options;
};

class HLSBackend : public TargetBackend {
public:
  llvm::StringRef getName() const override { return "hls"; }
  llvm::StringRef getDisplayName() const override { return "HLS C++"; }

  llvm::Error checkOptions(const TargetOptions &options) const override {
    auto notHere = [](llvm::StringRef flag, llvm::StringRef target) {
      return makeError(flag + " applies to --target=" + target + ", not hls");
    };
    if (options.reference)
      return makeError("--reference does not apply to --target=hls (it "
                       "always lowers through the reference lowering)");
    if (!options.cpu.empty())
      return notHere("--mcpu", "cpu or cuda");
    if (options.numThreads != 0)
      return notHere("--threads", "cpu");
    if (options.emitStatic)
      return notHere("--static", "cpu");
    if (!options.gpuArch.empty())
      return notHere("--gpu-arch", "cuda");
    if (!options.cudaPath.empty())
      return notHere("--cuda-path", "cuda");
    if (options.cudaGraph)
      return notHere("--cuda-graph", "cuda");
    if (!options.dtype.empty())
      return notHere("--dtype", "cuda");
    std::string part = getPart(options);
    if (part != "u280" && part != "zcu102")
      return makeError("--hls-part must be u280 or zcu102, not '" + part + "'");
    HLSPipelineOptions pipeline;
    setPipelineOptions(pipeline, options);
    if (llvm::Error e = checkHLSPipelineOptions(pipeline))
      return makeError("--target=hls: " + llvm::toString(std::move(e)));
    return llvm::Error::success();
  }

  void buildPipeline(OpPassManager &pm,
                     const TargetOptions &options) const override {
    HLSPipelineOptions pipeline;
    setPipelineOptions(pipeline, options);
    buildHLSPipeline(pm, pipeline);
  }

  llvm::Expected<std::unique_ptr<TargetArtifact>>
  serialize(ModuleOp module, ModelManifest &manifest,
            const TargetOptions &options,
            PhaseCallback startPhase) const override {
    for (const std::vector<TensorSpec> *list :
         {&manifest.inputs, &manifest.outputs})
      for (const TensorSpec &tensor : *list)
        if (tensor.dtype != DType::F32 || tensor.shape.empty())
          return makeError("the hls target takes and returns f32 tensors of "
                           "rank 1 or more; '" +
                           tensor.name + "' (" + tensor.describe() +
                           ") is not one");
    auto copy = cloneForEntryPoint(module, manifest);
    if (!copy)
      return copy.takeError();
    ModuleOp hlsModule = **copy;
    // The top function is named after the model, as the header declares it.
    auto entry = hlsModule.lookupSymbol<func::FuncOp>(manifest.function);
    if (manifest.function != manifest.name) {
      if (hlsModule.lookupSymbol(manifest.name))
        return makeError("--name " + manifest.name +
                         " is also the name of another function of the "
                         "module; choose another");
      if (failed(SymbolTable::replaceAllSymbolUses(
              entry, StringAttr::get(module.getContext(), manifest.name),
              hlsModule)))
        return makeError("cannot rename @" + manifest.function);
      entry.setSymName(manifest.name);
    }

    HLSPipelineOptions pipeline;
    setPipelineOptions(pipeline, options);
    startPhase("loom-hls-pipeline (loops, directives)");
    {
      PassManager pm(module.getContext());
      pm.addPass(createSymbolDCEPass());
      buildHLSLoopPipeline(pm, pipeline);
      if (failed(pm.run(hlsModule)))
        return makeError("loom-hls-pipeline failed");
    }
    OwningOpRef<ModuleOp> loops(cast<ModuleOp>(hlsModule->clone()));
    startPhase("EmitC, HLS C++");
    {
      PassManager pm(module.getContext());
      pm.addPass(createConvertHLSLoopsToEmitC());
      if (failed(pm.run(hlsModule)))
        return makeError("convert-hls-loops-to-emitc failed");
    }
    std::string kernel;
    llvm::raw_string_ostream os(kernel);
    os << "// " << manifest.name << ".cpp: HLS C++ of @" << manifest.function
       << " in " << manifest.source << " (loomc --target=hls).\n";
    if (failed(translateToHLSCpp(hlsModule, os)))
      return makeError("--emit-hls-cpp failed");
    llvm::Expected<HLSPrecision> precision = HLSPrecision::get(*loops);
    if (!precision)
      return precision.takeError();
    return std::make_unique<HLSArtifact>(
        std::move(kernel), precision->getCppType(), std::move(loops), options);
  }
};
} // namespace

std::unique_ptr<TargetBackend> mlir::loom::createHLSTargetBackend() {
  return std::make_unique<HLSBackend>();
}
