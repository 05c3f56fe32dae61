//===- loomc.cpp - The Loom compiler --------------------------------------===//
//
//   loomc MODEL.onnx --target=cpu -o OUTDIR     OUTDIR/{model.so, model.h,
//                                               model.mlir, manifest.json}
//   loomc MODEL.onnx --target=cuda -o OUTDIR    the same with GPU kernels in
//                                               kernels/ and kernels.h
//   loomc MODEL.onnx --emit=mlir [-o FILE]      the optimised IR
//   loomc MODEL.onnx --emit=llvm [-o FILE]      the final LLVM IR
//   loomc MODEL.onnx --shape=batch=1 ...        sizes for symbolic input
//                                               dimensions (docs/ONNX.md)
//   loomc MODEL.onnx ... --report=FILE.json     also the cost report
//                                               (docs/Report.md)
//
// A thin main over lib/Driver (docs/loomc.md). Exit status 0 on success, 1
// with one `error: ...` line on stderr otherwise.
//
//===----------------------------------------------------------------------===//

#include "loom/Driver/Loomc.h"
#include "loom/Frontend/ONNX/ONNXImporter.h"
#include "loom/InitAllPasses.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

static cl::OptionCategory category("loomc options");
static cl::opt<std::string> inputFile(cl::Positional,
                                      cl::desc("<model.onnx | input.mlir>"),
                                      cl::cat(category));
static cl::opt<std::string>
    outputPath("o",
               cl::desc("Output directory (--emit=lib) or file (--emit=mlir, "
                        "--emit=llvm; default stdout)"),
               cl::value_desc("OUTDIR|FILE"), cl::cat(category));
static cl::opt<std::string>
    target("target",
           cl::desc("Target to compile for: cpu (a shared library for the "
                    "host CPU) or cuda (NVIDIA GPU kernels and a host library "
                    "that launches them)"),
           cl::init("cpu"), cl::cat(category));
static cl::opt<std::string>
    gpuArch("gpu-arch",
            cl::desc("GPU architecture of --target=cuda (default sm_90)"),
            cl::value_desc("sm_NN"), cl::cat(category));
static cl::opt<std::string>
    cudaPath("cuda-path",
             cl::desc("CUDA toolkit whose ptxas --target=cuda uses (default: "
                      "$CUDA_ROOT, $CUDA_HOME, $CUDA_PATH, else the one found "
                      "when Loom was configured)"),
             cl::value_desc("DIR"), cl::cat(category));
static cl::opt<bool> cudaGraph(
    "cuda-graph",
    cl::desc("--target=cuda: replay each call's kernel launches as one CUDA "
             "graph (captured once per set of buffer addresses)"),
    cl::cat(category));
static cl::opt<std::string> dtype(
    "dtype",
    cl::desc("--target=cuda: storage type of the model's f32 tensors between "
             "kernels: f32 (default), f16 or bf16 (weights converted at "
             "compile time; arithmetic, accumulation and the model's inputs "
             "and outputs stay f32)"),
    cl::value_desc("f32|f16|bf16"), cl::cat(category));
static cl::opt<std::string> hlsPrecision(
    "hls-precision",
    cl::desc("--target=hls: the C++ type of the model's f32 data: float "
             "(default) or fixed<W,I> (ap_fixed<W,I>)"),
    cl::value_desc("float|fixed<W,I>"), cl::cat(category));
static cl::opt<std::string> hlsRounding(
    "hls-rounding",
    cl::desc("--target=hls: fixed-point quantisation: conv (AP_RND_CONV, "
             "default), rnd (AP_RND) or trn (AP_TRN)"),
    cl::value_desc("conv|rnd|trn"), cl::cat(category));
static cl::opt<std::string> hlsOverflow(
    "hls-overflow",
    cl::desc("--target=hls: fixed-point overflow: sat (AP_SAT, default) or "
             "wrap (AP_WRAP)"),
    cl::value_desc("sat|wrap"), cl::cat(category));
static cl::opt<unsigned> hlsII(
    "hls-ii",
    cl::desc("--target=hls: the II requested of pipelined loops (default 1)"),
    cl::value_desc("N"), cl::init(0), cl::cat(category));
static cl::opt<int> hlsUnroll(
    "hls-unroll",
    cl::desc("--target=hls: unroll factor of innermost loops (default 1: "
             "none; 0: full), with matching array partitions"),
    cl::value_desc("N"), cl::init(-1), cl::cat(category));
static cl::opt<bool> hlsDataflow(
    "hls-dataflow",
    cl::desc("--target=hls: each top-level loop nest of the top becomes a "
             "DATAFLOW stage; elementwise channels become hls::stream FIFOs "
             "(docs/HLSDataflow.md)"),
    cl::init(false), cl::cat(category));
static cl::opt<std::string> hlsPart(
    "hls-part",
    cl::desc("--target=hls: the FPGA part of estimate.json: u280 (default) "
             "or zcu102"),
    cl::value_desc("u280|zcu102"), cl::cat(category));
static cl::opt<std::string> skipLayers(
    "skip-layers",
    cl::desc("Remove the transformer sublayers that change the residual "
             "stream least, measured on --calibration, with loom-skip-layers "
             "and these of its options, comma-separated (e.g. count=2,"
             "granularity=attention or threshold=0.99); see "
             "docs/LayerSkipping.md"),
    cl::value_desc("OPTIONS"), cl::cat(category));
static cl::opt<std::string> skipTokens(
    "skip-tokens",
    cl::desc("Mixture-of-depths: per chosen block, the tokens a router "
             "fitted on --calibration ranks below the capacity skip the "
             "block, with loom-skip-tokens and these of its options, "
             "comma-separated (e.g. capacity=0.5 or capacity=0.75,blocks=1,3); "
             "see docs/TokenReduction.md"),
    cl::value_desc("OPTIONS"), cl::cat(category));
static cl::opt<std::string> mergeTokens(
    "merge-tokens",
    cl::desc("Merge tokens with loom-merge-tokens (ToMe) and these of its "
             "options, comma-separated (r=N required, layers=i,j, "
             "protect-first, proportional); see docs/TokenReduction.md"),
    cl::value_desc("OPTIONS"), cl::cat(category));

static cl::opt<std::string> quantize(
    "quantize",
    cl::desc("Quantize the linear layers with loom-quantize and these of its "
             "options, comma-separated (e.g. mode=weight-only,bits=4,"
             "granularity=group or mode=w8a8); see docs/Quantization.md"),
    cl::value_desc("OPTIONS"), cl::cat(category));
static cl::opt<std::string> dropTokens(
    "drop-tokens",
    cl::desc("Prune tokens with loom-drop-tokens and these of its options, "
             "comma-separated (e.g. layers=2:0.7,3:0.5 or "
             "stages=2,ratio=0.5,score=l2norm); see docs/TokenReduction.md"),
    cl::value_desc("OPTIONS"), cl::cat(category));
static cl::opt<std::string> shiftadd(
    "shiftadd",
    cl::desc("Reparameterise the linear layers with loom-shiftadd and these "
             "of its options (e.g. bits=3,objective=output or "
             "mode=power-of-two)"),
    cl::value_desc("OPTIONS"), cl::cat(category));
static cl::opt<bool>
    fuse("fuse",
         cl::desc("Fuse linear layers (loom-fuse-projections: q/k/v and "
                  "gate/up projections of one input into one matmul; "
                  "loom-fuse-epilogues: bias and residual adds into the "
                  "matmul's accumulator); see docs/Fusion.md"),
         cl::cat(category));
static cl::opt<std::string> precisionBudget(
    "precision-budget",
    cl::desc("Per-layer widths from loom-assign-precision under this average "
             "bits per weight, for --shiftadd or --quantize (needs "
             "--calibration)"),
    cl::value_desc("BITS"), cl::cat(category));
static cl::opt<std::string> calibration(
    "calibration",
    cl::desc("Directory of .npy model inputs for the passes that measure the "
             "model (--skip-layers, GPTQ rounding, static W8A8 scales, the "
             "output objective, --precision-budget)"),
    cl::value_desc("DIR"), cl::cat(category));
static cl::opt<std::string>
    emit("emit",
         cl::desc("What to write: lib (the output directory, default), mlir "
                  "(the optimised IR) or llvm (the final LLVM IR)"),
         cl::init("lib"), cl::cat(category));
static cl::opt<std::string>
    name("name",
         cl::desc("Prefix of the exported symbols and file names (a C "
                  "identifier)"),
         cl::init("model"), cl::cat(category));
static cl::opt<std::string>
    entry("entry",
          cl::desc("Function to compile (default: the only public function "
                   "with a body)"),
          cl::cat(category));
static cl::opt<bool> noRaise("no-raise",
                             cl::desc("Skip the raising passes (attention, "
                                      "MoE) of loom-optimize-pipeline"),
                             cl::cat(category));
static cl::opt<unsigned> optLevel("O", cl::Prefix,
                                  cl::desc("LLVM optimisation level (-O0 to "
                                           "-O3, default -O2)"),
                                  cl::init(2), cl::cat(category));
static cl::opt<std::string>
    cpu("mcpu",
        cl::desc("LLVM CPU to generate code for (default: the host CPU and "
                 "its features)"),
        cl::cat(category));
static cl::opt<std::string>
    linker("linker",
           cl::desc("C compiler driver that links the shared library "
                    "(default: the one found at configure time)"),
           cl::value_desc("PATH"), cl::cat(category));

static cl::opt<bool>
    reference("reference",
              cl::desc("Compile through the reference lowering only (no CPU "
                       "kernels, no fusion): slow, and the oracle the fast "
                       "path is tested against"),
              cl::cat(category));
/// `--threads`, a name libLLVM already registers an internal option under:
/// that one is renamed before loomc's own is registered.
static cl::opt<int> &getThreadsOption() {
  auto &registered = cl::getRegisteredOptions();
  auto existing = registered.find("threads");
  if (existing != registered.end()) {
    existing->second->setArgStr("llvm-internal-threads");
    existing->second->setHiddenFlag(cl::ReallyHidden);
  }
  static cl::opt<int> threads(
      "threads",
      cl::desc("Threads the compiled model uses (0, the default: every "
               "core); LOOM_NUM_THREADS overrides it at run time"),
      cl::init(0), cl::cat(category));
  return threads;
}
static cl::opt<bool> timing("timing",
                            cl::desc("Print the time of each compile phase"),
                            cl::cat(category));
static cl::opt<std::string> maxConstantBytes(
    "max-constant-bytes",
    cl::desc("Largest constant the ONNX importer creates (initializers, "
             "folded results, ConstantOfShape, ...): bytes, or with a K, M, G "
             "or T suffix (default 1G)"),
    cl::value_desc("SIZE"), cl::init("1G"), cl::cat(category));
static cl::list<std::string>
    shapes("shape",
           cl::desc("Sizes for the symbolic input dimensions of an ONNX model: "
                    "INPUT=DxDx... (an input's full shape) or SYMBOL=N (every "
                    "dimension named SYMBOL); repeatable and comma-separated"),
           cl::value_desc("SPEC[,SPEC...]"), cl::cat(category));
static cl::opt<std::string> reportPath(
    "report",
    cl::desc("Write the per-layer cost report (loom-report: parameters, "
             "weight bytes, FLOPs, bytes moved, KV-cache bytes per token) of "
             "the optimised IR to this JSON file; with --emit=lib also "
             "OUTDIR/report.json"),
    cl::value_desc("FILE.json"), cl::cat(category));
static cl::opt<bool>
    emitStatic("static",
               cl::desc("Also write a static library (NAME.a) to OUTDIR"),
               cl::cat(category));

static cl::opt<bool> generate(
    "generate",
    cl::desc("Compile a causal LM for token generation: @prefill and "
             "@decode_step (inserted by loom-insert-kv-cache when the model "
             "lacks them) in one library with a KV cache API "
             "(docs/loomc.md)"),
    cl::cat(category));
static cl::opt<int64_t>
    kvCapacity("kv-capacity",
               cl::desc("--generate: the KV cache capacity in tokens "
                        "(loom-insert-kv-cache's capacity)"),
               cl::value_desc("N"), cl::init(0), cl::cat(category));
static cl::opt<int64_t>
    promptLength("prompt-length",
                 cl::desc("--generate: the prompt length @prefill takes "
                          "(loom-insert-kv-cache's prompt-length)"),
                 cl::value_desc("P"), cl::init(0), cl::cat(category));

static cl::opt<std::string> kvCompress(
    "kv-compress",
    cl::desc("--generate: compress the KV caches with loom-kv-compress "
             "(policy=window-sinks|snapkv|quantize|snapkv+quantize, budget, "
             "and the policy's knobs, comma-separated; docs/KVCache.md)"),
    cl::value_desc("OPTIONS"), cl::init(""), cl::cat(category));

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  mlir::loom::installLoomcFatalErrorHandler();
  mlir::loom::registerAllPasses();
  // --mlir-print-ir-after-all, --mlir-timing, ... for the pipelines loomc runs.
  mlir::registerPassManagerCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  cl::opt<int> &threads = getThreadsOption();
  cl::HideUnrelatedOptions(category);

  std::string parseErrors;
  llvm::raw_string_ostream parseErrorStream(parseErrors);
  if (!cl::ParseCommandLineOptions(argc, argv, "Loom compiler\n",
                                   &parseErrorStream)) {
    // One line: "loomc: Unknown command line argument ...  Try: ...".
    llvm::StringRef first = llvm::StringRef(parseErrors).split('\n').first;
    std::string prefix = (llvm::sys::path::filename(argv[0]) + ": ").str();
    first.consume_front(prefix);
    llvm::errs() << "error: " << first.trim() << "\n";
    return 1;
  }

  mlir::loom::LoomcOptions options;
  options.inputPath = inputFile;
  options.outputPath = outputPath;
  options.target = target;
  options.emit = emit;
  options.name = name;
  options.entry = entry;
  options.raise = !noRaise;
  options.optLevel = optLevel;
  options.cpu = cpu;
  options.linker = linker;
  options.reference = reference;
  options.numThreads = threads;
  options.timing = timing;
  options.emitStatic = emitStatic;
  llvm::Expected<uint64_t> maxBytes =
      mlir::loom::parseMaxConstantBytesOption(maxConstantBytes);
  if (!maxBytes) {
    llvm::errs() << "error: " << llvm::toString(maxBytes.takeError()) << "\n";
    return 1;
  }
  options.maxConstantBytes = *maxBytes;
  options.shapes.assign(shapes.begin(), shapes.end());
  options.gpuArch = gpuArch;
  options.cudaPath = cudaPath;
  options.cudaGraph = cudaGraph;
  options.dtype = dtype;
  options.hlsPrecision = hlsPrecision;
  options.hlsRounding = hlsRounding;
  options.hlsOverflow = hlsOverflow;
  options.hlsII = hlsII;
  options.hlsUnroll = hlsUnroll;
  options.hlsPart = hlsPart;
  options.hlsDataflow = hlsDataflow;
  options.skipLayers = skipLayers;
  options.skipTokens = skipTokens;
  options.quantize = quantize;
  options.mergeTokens = mergeTokens;
  options.shiftadd = shiftadd;
  options.dropTokens = dropTokens;
  options.precisionBudget = precisionBudget;
  options.calibration = calibration;
  options.fuse = fuse;
  options.reportPath = reportPath;
  options.generate = generate;
  options.kvCapacity = kvCapacity;
  options.promptLength = promptLength;
  options.kvCompress = kvCompress;
  if (llvm::Error e = mlir::loom::runLoomc(options)) {
    llvm::errs() << "error: " << llvm::toString(std::move(e)) << "\n";
    return 1;
  }
  return 0;
}
