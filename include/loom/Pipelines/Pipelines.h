//===- Pipelines.h - Loom's named pass pipelines ----------------*- C++ -*-===//
//
// Named pipelines from loom IR on tensors to a target. Each is a plain function
// over an OpPassManager so that loomc, loom-run and loom-opt share it.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PIPELINES_PIPELINES_H
#define LOOM_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "llvm/Support/Error.h"

namespace mlir {
namespace loom {

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<bool> resultsToOutParams{
      *this, "results-to-out-params",
      llvm::cl::desc("Return tensor results through caller-allocated buffers "
                     "(the C ABI that loom-run and compiled libraries use)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> reference{
      *this, "reference",
      llvm::cl::desc("Lower through the reference lowering and scalar loops "
                     "only (no CPU kernels, no fusion): the oracle the fast "
                     "path is tested against"),
      llvm::cl::init(false)};
  PassOptions::Option<std::string> fixedPoint{
      *this, "fixed-point",
      llvm::cl::desc("W,I[,rounding[,overflow]]: compute every f32 value as "
                     "ap_fixed<W,I,Q,O> does (loom-hls-emulate-fixed-point "
                     "after convert-linalg-to-loops; rounding conv|rnd|trn, "
                     "overflow sat|wrap; needs reference=true; "
                     "docs/HLSFixedPoint.md); empty: float"),
      llvm::cl::init("")};
};

/// Checks what the options' parser cannot: `fixed-point`, when set, is a
/// valid W,I[,rounding[,overflow]] and comes with reference=true. The message
/// names the option.
llvm::Error checkCPUPipelineOptions(const CPUPipelineOptions &options);

/// loom ops on tensors -> LLVM dialect. The fast path (default) calls Loom's
/// CPU kernels (include/loom/Runtime/Kernels.h) for f32 attention and
/// contractions and fuses elementwise ops; everything else goes through the
/// reference lowering (convert-loom-to-linalg), one-shot bufferization and
/// loops. A module lowered on the fast path must be linked with the kernels
/// (loom/Target/CPU/KernelLibrary.h) before it runs.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  PassOptions::Option<std::string> gpuArch{
      *this, "gpu-arch",
      llvm::cl::desc("NVIDIA GPU architecture the kernels are compiled for "
                     "(sm_80, sm_90, ...)"),
      llvm::cl::init("sm_90")};
  PassOptions::Option<bool> reference{
      *this, "reference",
      llvm::cl::desc("Lower through the reference lowering only (no fusion, "
                     "no warp reductions): one thread per output element"),
      llvm::cl::init(false)};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What gpu-module-to-binary makes of each kernel: bin "
                     "(cubin, through ptxas), isa (PTX), fatbin, or none (stop "
                     "at the NVVM dialect)"),
      llvm::cl::init("bin")};
  PassOptions::Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("CUDA toolkit whose ptxas makes cubins (default: "
                     "$CUDA_ROOT, $CUDA_HOME, $CUDA_PATH, else the toolkit "
                     "found when Loom was configured)"),
      llvm::cl::init("")};
  PassOptions::Option<unsigned> blockSize{
      *this, "block-size",
      llvm::cl::desc("Threads per block of the elementwise kernels"),
      llvm::cl::init(256)};
  PassOptions::Option<std::string> dtype{
      *this, "dtype",
      llvm::cl::desc("Storage type of the f32 tensors between kernels: f32, "
                     "or f16/bf16 with f32 arithmetic and accumulation "
                     "(loom-narrow-float-storage)"),
      llvm::cl::init("f32")};
  PassOptions::Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("Optimisation level of the NVPTX back end (0-3)"),
      llvm::cl::init(3)};
};

/// Checks what the options' parser cannot: gpu-arch is `sm_<N>` (optionally
/// with an `a` or `f` suffix) with N >= 20, format is bin, isa, fatbin or
/// none, block-size is 1 to 1024, opt-level 0 to 3 and cuda-path, when set,
/// a directory. The message names the option.
llvm::Error checkGPUPipelineOptions(const GPUPipelineOptions &options);

/// loom ops on tensors -> kernels in gpu.binary ops (cubin or PTX) and a host
/// function of gpu.launch_func, gpu.alloc and gpu.dealloc on memrefs, which a
/// target packages (lib/Target/CUDA). See docs/GPU.md.
void buildGPUPipeline(OpPassManager &pm, const GPUPipelineOptions &options);

/// The first stages of buildGPUPipeline: loom ops on tensors to host
/// functions on memrefs whose kernels are gpu.launch ops (before outlining).
void buildGPUKernelPipeline(OpPassManager &pm,
                            const GPUPipelineOptions &options);

/// The CUDA toolkit directory the GPU pipeline serialises with: `cudaPath`
/// when not empty, else $CUDA_ROOT, $CUDA_HOME or $CUDA_PATH, else the
/// toolkit found when Loom was configured ("" if none).
std::string getCUDAToolkitPath(llvm::StringRef cudaPath);

struct HLSPipelineOptions : public PassPipelineOptions<HLSPipelineOptions> {
  PassOptions::Option<std::string> precision{
      *this, "precision",
      llvm::cl::desc("The C++ type of f32 data: float, or fixed<W,I> "
                     "(ap_fixed)"),
      llvm::cl::init("float")};
  PassOptions::Option<std::string> rounding{
      *this, "rounding",
      llvm::cl::desc("Fixed-point quantisation: conv (AP_RND_CONV), rnd "
                     "(AP_RND) or trn (AP_TRN)"),
      llvm::cl::init("conv")};
  PassOptions::Option<std::string> overflow{
      *this, "overflow",
      llvm::cl::desc("Fixed-point overflow: sat (AP_SAT) or wrap (AP_WRAP)"),
      llvm::cl::init("sat")};
  PassOptions::Option<unsigned> ii{
      *this, "ii",
      llvm::cl::desc("Initiation interval requested of pipelined loops"),
      llvm::cl::init(1)};
  PassOptions::Option<unsigned> unroll{
      *this, "unroll",
      llvm::cl::desc("Unroll factor of innermost loops (1: none, 0: "
                     "full); the local arrays they index are partitioned to "
                     "match"),
      llvm::cl::init(1)};
  PassOptions::Option<bool> dataflow{
      *this, "dataflow",
      llvm::cl::desc("Make each top-level loop nest of the top a DATAFLOW "
                     "stage (loom-hls-dataflow, docs/HLSDataflow.md)"),
      llvm::cl::init(false)};
};

/// Checks what the options' parser cannot (precision and mode names, ii >=
/// 1); the message names the option.
llvm::Error checkHLSPipelineOptions(const HLSPipelineOptions &options);

/// loom ops on tensors -> loop IR on static local buffers with the
/// precision recorded on the module (the stages before EmitC; docs/HLS.md).
void buildHLSLoopPipeline(OpPassManager &pm, const HLSPipelineOptions &options);

/// buildHLSLoopPipeline, then EmitC (convert-hls-loops-to-emitc), which
/// `loom-translate --emit-hls-cpp` prints as HLS C++.
void buildHLSPipeline(OpPassManager &pm, const HLSPipelineOptions &options);

/// Registers `loom-hls-pipeline`.
void registerLoomHLSPipeline();

struct OptimizePipelineOptions
    : public PassPipelineOptions<OptimizePipelineOptions> {
  PassOptions::Option<bool> raise{
      *this, "raise",
      llvm::cl::desc("Raise decomposed attention and MoE layers to loom ops"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> skipLayers{
      *this, "skip-layers",
      llvm::cl::desc("Run loom-skip-layers with these options (e.g. "
                     "'count=2 granularity=attention'; commas may separate "
                     "them) right after raising; needs calibration; empty: "
                     "not run"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> skipTokens{
      *this, "skip-tokens",
      llvm::cl::desc("Run loom-skip-tokens (mixture-of-depths) with these "
                     "options (e.g. 'capacity=0.5 blocks=1,3'; commas may "
                     "separate them) after skip-layers; needs calibration; "
                     "empty: not run"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> quantize{
      *this, "quantize",
      llvm::cl::desc("Run loom-quantize with these options (its own "
                     "syntax, e.g. 'mode=weight-only bits=4'; commas may "
                     "separate them); empty: not run"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> dropTokens{
      *this, "drop-tokens",
      llvm::cl::desc("Run loom-drop-tokens with these options (e.g. "
                     "'layers=2:0.7,3:0.5'; commas may separate them) after "
                     "raising; empty: not run"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> shiftadd{
      *this, "shiftadd",
      llvm::cl::desc("Run loom-shiftadd with these options; empty: not run"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> precisionBudget{
      *this, "precision-budget",
      llvm::cl::desc("Run loom-assign-precision with budget=<this> (average "
                     "bits per weight) before loom-shiftadd or loom-quantize, "
                     "which then use its per-layer widths; needs "
                     "calibration"),
      llvm::cl::init("")};
  PassOptions::Option<bool> fuse{
      *this, "fuse",
      llvm::cl::desc("Run loom-fuse-projections and loom-fuse-epilogues "
                     "after the efficiency passes (docs/Fusion.md)"),
      llvm::cl::init(false)};
  PassOptions::Option<std::string> mergeTokens{
      *this, "merge-tokens",
      llvm::cl::desc("Run loom-merge-tokens (ToMe) with these options (its "
                     "own syntax, e.g. 'r=8 layers=0,1'; commas may separate "
                     "them) after raising; empty: not run"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> calibration{
      *this, "calibration",
      llvm::cl::desc("Calibration directory (.npy model inputs) for the "
                     "passes above that measure the model"),
      llvm::cl::init("")};
};

/// The target-neutral stage between import and a target pipeline: raising
/// (decomposed attention -> loom.attention, router/TopK/expert gathers ->
/// loom.moe.ffn), clean-ups, then the efficiency passes asked for
/// (loom-drop-tokens, loom-skip-layers, loom-skip-tokens,
/// loom-assign-precision, loom-shiftadd, loom-quantize, in that order), then
/// with `fuse` the fusion passes. Only the efficiency passes change numbers
/// (fusion changes at most the rounding order of bias and residual adds).
/// Fails, with a message through `errorHandler`, on invalid options of those
/// passes.
LogicalResult
buildOptimizePipeline(OpPassManager &pm, const OptimizePipelineOptions &options,
                      function_ref<LogicalResult(const Twine &)> errorHandler);

/// Registers `loom-cpu-pipeline` and `loom-gpu-pipeline`.
void registerLoomPipelines();

/// Registers `loom-optimize-pipeline` (its own library, since the
/// quantization passes it runs use the CPU JIT, which uses the pipelines
/// above).
void registerLoomOptimizePipeline();

} // namespace loom
} // namespace mlir

#endif // LOOM_PIPELINES_PIPELINES_H
