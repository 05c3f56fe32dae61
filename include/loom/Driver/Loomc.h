//===- Loomc.h - The loomc compiler driver ----------------------*- C++ -*-===//
//
// loomc compiles an ONNX model (or an .mlir file of loom IR on tensors):
// import -> loom-optimize-pipeline -> a target from the registry of
// lib/Target. For `--target=cpu` it writes OUTDIR/{<name>.so, <name>.h,
// <name>.mlir, manifest.json}, for `--target=cuda` also kernels/ and
// kernels.h; `--emit=mlir` and `--emit=llvm` print the optimised MLIR or the
// final (host) LLVM IR instead. docs/loomc.md describes the tool,
// docs/Runtime.md the CPU library's ABI, docs/GPU.md the CUDA target.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DRIVER_LOOMC_H
#define LOOM_DRIVER_LOOMC_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
namespace loom {

struct LoomcOptions {
  /// An .onnx model, or an .mlir / .mlirbc file.
  std::string inputPath;
  /// OUTDIR for --emit=lib; a file (default stdout) for --emit=mlir/llvm.
  std::string outputPath;
  /// The target's name in the registry (TargetBackend.h): "cpu" or "cuda".
  std::string target = "cpu";
  /// "lib" (the output directory), "mlir" or "llvm".
  std::string emit = "lib";
  /// The symbol and file prefix; must be a C identifier.
  std::string name = "model";
  /// The function to compile; default: the only public function with a body.
  std::string entry;
  /// Run the raising passes of loom-optimize-pipeline.
  bool raise = true;
  /// LLVM optimisation level, 0-3. -O2 runs as fast as -O3 on the benchmark
  /// models and compiles in about 60% of the time (docs/loomc.md).
  unsigned optLevel = 2;
  /// An LLVM CPU name; empty means the host CPU and its features.
  std::string cpu;
  /// The C compiler driver that links the library; empty means the one
  /// found at configure time.
  std::string linker;
  /// Compile through the reference lowering only (no CPU kernels, no fusion).
  bool reference = false;
  /// Default thread count of the compiled code (0: every core); the
  /// environment variable LOOM_NUM_THREADS overrides it at run time.
  int32_t numThreads = 0;
  /// Print the wall time of each compile phase to stderr.
  bool timing = false;
  /// Also write a static library (<name>.a) next to the shared one.
  bool emitStatic = false;
  /// The ONNX importer's limit on the size of one constant, in bytes
  /// (ONNXImportOptions::maxConstantBytes).
  uint64_t maxConstantBytes = uint64_t(1) << 30;
  /// The --shape values (each a comma-separated list of INPUT=DxDx... and
  /// SYMBOL=N, parsed by parseShapeOption): sizes for the symbolic input
  /// dimensions of an ONNX model; an error for .mlir inputs.
  std::vector<std::string> shapes;
  /// The GPU architecture of --target=cuda; empty: sm_90.
  std::string gpuArch;
  /// The CUDA toolkit of --target=cuda; empty: as loom-gpu-pipeline finds it.
  std::string cudaPath;
  /// --cuda-graph (cuda).
  bool cudaGraph = false;
  /// --dtype (cuda): f32, f16 or bf16; empty: f32.
  std::string dtype;
  /// --hls-precision, --hls-rounding, --hls-overflow, --hls-ii,
  /// --hls-unroll, --hls-part (hls); empty and 0: the target's defaults.
  std::string hlsPrecision, hlsRounding, hlsOverflow, hlsPart;
  unsigned hlsII = 0;
  int hlsUnroll = -1;
  /// --hls-dataflow (hls): the top's loop nests as DATAFLOW stages.
  bool hlsDataflow = false;
  /// --skip-layers, --skip-tokens, --quantize, --shiftadd,
  /// --precision-budget, --calibration: the efficiency passes of
  /// loom-optimize-pipeline (OptimizePipelineOptions).
  std::string skipLayers, skipTokens, quantize, shiftadd, precisionBudget,
      calibration;
  /// --fuse: run loom-fuse-projections and loom-fuse-epilogues in
  /// loom-optimize-pipeline.
  bool fuse = false;
  /// --drop-tokens: loom-drop-tokens options (token pruning); empty: none.
  std::string dropTokens;
  /// --merge-tokens: loom-merge-tokens options (OptimizePipelineOptions);
  /// empty: not run.
  std::string mergeTokens;
  /// --report: the JSON file the cost report (loom-report) of the optimised
  /// IR is written to once the compile succeeded; empty: no report. With
  /// --emit=lib the output directory also gets a copy, report.json.
  std::string reportPath;
  /// --generate: compile `@prefill` and `@decode_step` (written by
  /// loom-insert-kv-cache, which loomc runs when the module lacks them) into
  /// one library with the generate cache API (docs/loomc.md).
  bool generate = false;
  /// --kv-capacity, --prompt-length: loom-insert-kv-cache's `capacity` and
  /// `prompt-length`; 0: not given.
  int64_t kvCapacity = 0, promptLength = 0;
  /// --kv-compress: loom-kv-compress's options after loom-insert-kv-cache
  /// (`policy=...,budget=...`, commas or spaces); empty: no compression.
  std::string kvCompress;
};

/// Compiles as `options` say. Every failure is an error with a one-line
/// message; nothing is written on failure (--emit=lib: the output directory
/// is replaced only by a complete one, see OutputDirectory.h). Loom's passes
/// must be registered (loom::registerAllPasses) before the call.
llvm::Error runLoomc(const LoomcOptions &options);

/// Makes LLVM's fatal errors print `error: ...`, remove the staging
/// directories of unfinished outputs and exit with status 1.
void installLoomcFatalErrorHandler();

} // namespace loom
} // namespace mlir

#endif // LOOM_DRIVER_LOOMC_H
