//===- loom-run.cpp - Execute loom IR or a compiled model on the host CPU -===//
//
// Two modes, one report format:
//
//   loom-run FILE.mlir [--entry NAME] [--input X.npy]... [--random-seed N]
//            [--output-dir DIR] [--compare REF.npy]... [--rtol R] [--atol A]
//            [--reference] [--fixed-point W,I[,rounding[,overflow]]]
//
// compiles one function of an .mlir file with loom-cpu-pipeline (with
// --fixed-point, its reference path computing as ap_fixed does), runs it with
// the JIT on inputs from .npy files (or seeded random data), writes its
// results as DIR/result<i>.npy and compares them with references;
//
//   loom-run OUTDIR [--input [NAME=]X.npy]... [--random-seed N]
//            [--output-dir DIR] [--compare [NAME=]REF.npy]... [--rtol R]
//            [--atol A]
//
// loads the library `loomc --target=cpu -o OUTDIR` wrote, checks the inputs
// against OUTDIR/manifest.json, calls `<name>_run_packed` and writes each
// output as DIR/<output name>.npy. A plain --input / --compare applies to the
// next input / output in order that has none yet. That mode is the runtime
// core's runModelDirectory (loom/Runtime/ModelRunner.h), which
// loom-run-model runs without the compiler.
//
// Exit status: 0 when everything ran and matched, 1 otherwise.
//
//===----------------------------------------------------------------------===//

#include "loom/HLS/FixedPoint.h"
#include "loom/InitAllDialects.h"
#include "loom/InitAllPasses.h"
#include "loom/Runtime/JitRunner.h"
#include "loom/Runtime/ModelRunner.h"
#include "loom/Runtime/Npy.h"
#include "loom/Runtime/RunnerSupport.h"
#include "loom/Runtime/RuntimeErrors.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <iostream>
#include <optional>

using namespace mlir;
using namespace mlir::loom;
namespace cl = llvm::cl;

static cl::OptionCategory category("loom-run options");
static cl::opt<std::string>
    inputFile(cl::Positional,
              cl::desc("<input .mlir | model directory written by loomc>"),
              cl::Required, cl::cat(category));
static cl::opt<std::string>
    entryName("entry",
              cl::desc("Function to run (default: the only public "
                       "function with a body; .mlir files only)"),
              cl::cat(category));
static cl::list<std::string>
    inputs("input",
           cl::desc("An .npy file per argument, in order; for a model "
                    "directory also NAME=FILE.npy"),
           cl::cat(category));
static cl::opt<unsigned>
    randomSeed("random-seed",
               cl::desc("Fill arguments without --input with uniform [-1, 1) "
                        "floats from this seed"),
               cl::cat(category));
static cl::opt<std::string>
    outputDir("output-dir",
              cl::desc("Write results as DIR/result<i>.npy (model "
                       "directory: DIR/<output name>.npy)"),
              cl::cat(category));
static cl::list<std::string>
    compares("compare",
             cl::desc("Reference .npy for result i (i-th flag); for a model "
                      "directory also NAME=REF.npy"),
             cl::cat(category));
static cl::opt<double> relTol("rtol", cl::desc("Relative tolerance"),
                              cl::init(1e-5), cl::cat(category));
static cl::opt<double> absTol("atol", cl::desc("Absolute tolerance"),
                              cl::init(1e-6), cl::cat(category));

static cl::opt<bool>
    reference("reference",
              cl::desc("Lower through the reference lowering only (no CPU "
                       "kernels); .mlir files only"),
              cl::cat(category));

static cl::opt<std::string> fixedPoint(
    "fixed-point",
    cl::desc("Compute every f32 value as ap_fixed<W,I,Q,O> does, as the HLS "
             "C simulation does (implies --reference; rounding conv|rnd|trn, "
             "default conv; overflow sat|wrap, default sat; "
             "docs/HLSFixedPoint.md); .mlir files only"),
    cl::value_desc("W,I[,rounding[,overflow]]"), cl::cat(category));

static cl::opt<std::string>
    promptFile("prompt",
               cl::desc("The prompt's int64 token ids (.npy) for --generate"),
               cl::value_desc("IDS.npy"), cl::cat(category));
static cl::opt<std::string> generateTokens(
    "generate",
    cl::desc("Model directory of `loomc --generate`: prefill --prompt, then "
             "generate N tokens greedily (N - 1 decode steps); prints the "
             "tokens, time to first token, per-step latency and KV bytes; "
             "--output-dir writes tokens.npy and logits.npy"),
    cl::value_desc("N"), cl::cat(category));

static int fail(const llvm::Twine &msg) {
  llvm::errs() << "error: " << msg << "\n";
  return 1;
}

//===----------------------------------------------------------------------===//
// FILE.mlir: the JIT
//===----------------------------------------------------------------------===//

/// Says which arguments `--random-seed` filled, so that a run on random data
/// is never mistaken for one on the user's inputs.
static void printRandomInput(const std::string &what, const NpyArray &array) {
  llvm::outs() << what << ": " << array.shapeString() << " "
               << dtypeName(array.dtype)
               << " random (uniform [-1, 1), --random-seed " << randomSeed
               << ")\n";
}

/// Writes `outputs` as --output-dir/fileNames[i] (nothing without
/// --output-dir); returns the exit status.
static int writeOutputs(llvm::ArrayRef<NpyArray> outputs,
                        llvm::ArrayRef<std::string> fileNames) {
  if (outputDir.empty())
    return 0;
  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return fail("cannot create " + outputDir + ": " + ec.message());
  for (auto [name, out] : llvm::zip_equal(fileNames, outputs)) {
    llvm::SmallString<256> path(outputDir);
    llvm::sys::path::append(path, name);
    if (Status s = writeNpyFile(std::string(path), out); !s.ok())
      return fail(s.message());
  }
  return 0;
}

/// Picks the entry function: --entry, or the only public function with a body.
static FailureOr<std::string> pickEntry(ModuleOp module) {
  if (!entryName.empty())
    return StringRef(entryName).ltrim('@').str();
  std::string found;
  int count = 0;
  module.walk([&](func::FuncOp f) {
    if (!f.isExternal() && f.isPublic()) {
      found = f.getName().str();
      ++count;
    }
  });
  if (count != 1)
    return failure();
  return found;
}

static int runMLIRFile() {
  DialectRegistry registry;
  loom::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  llvm::SourceMgr sourceMgr;
  std::string errorMessage;
  auto file = openInputFile(inputFile, &errorMessage);
  if (!file)
    return fail(errorMessage);
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  FailureOr<std::string> entry = pickEntry(*module);
  if (failed(entry))
    return fail("cannot pick the function to run: pass --entry (the module "
                "needs exactly one public function with a body otherwise)");

  auto argTypes = getEntryArgumentTypes(*module, *entry);
  if (!argTypes)
    return fail(llvm::toString(argTypes.takeError()));

  std::vector<NpyArray> args;
  for (const std::string &path : inputs) {
    Result<NpyArray> array = readNpyFile(path);
    if (!array)
      return fail(array.message());
    args.push_back(std::move(*array));
  }
  if (args.size() > argTypes->size())
    return fail(llvm::Twine(args.size()) + " inputs given but @" + *entry +
                " takes " + llvm::Twine(argTypes->size()) + " arguments");
  if (args.size() < argTypes->size()) {
    if (randomSeed.getNumOccurrences() == 0)
      return fail("@" + *entry + " takes " + llvm::Twine(argTypes->size()) +
                  " arguments but " + llvm::Twine(args.size()) +
                  " inputs were given (pass --input for each, or "
                  "--random-seed to fill float arguments)");
    RandomInputGenerator random(randomSeed);
    for (size_t i = args.size(); i < argTypes->size(); ++i) {
      RankedTensorType t = (*argTypes)[i];
      if (!isa<FloatType>(t.getElementType()))
        return fail("argument " + llvm::Twine(i) +
                    " is not a float tensor: it needs --input");
      args.push_back(random.generate(
          *getDTypeFor(t.getElementType()),
          std::vector<int64_t>(t.getShape().begin(), t.getShape().end())));
      printRandomInput("argument " + std::to_string(i), args.back());
    }
  }

  auto run = runOnCPU(*module, *entry, args, reference || !fixedPoint.empty(),
                      fixedPoint);
  if (!run)
    return fail(llvm::toString(run.takeError()));
  if (run->runtimeError != 0)
    return fail(llvm::Twine("runtime error: ") +
                describeRuntimeError(run->runtimeError));
  std::vector<std::string> fileNames;
  for (size_t i = 0; i < run->outputs.size(); ++i)
    fileNames.push_back("result" + std::to_string(i) + ".npy");
  if (int status = writeOutputs(run->outputs, fileNames))
    return status;

  if (compares.size() > run->outputs.size())
    return fail(llvm::Twine(compares.size()) + " references given but @" +
                *entry + " has " + llvm::Twine(run->outputs.size()) +
                " results");
  bool ok = true;
  for (auto [i, path] : llvm::enumerate(compares)) {
    Result<NpyArray> ref = readNpyFile(path);
    if (!ref)
      return fail(ref.message());
    std::string report;
    ok &= compareWithReference(
        report, "result" + std::to_string(i), run->outputs[i], *ref,
        llvm::sys::path::filename(path).str(), relTol, absTol);
    llvm::outs() << report;
  }
  if (compares.empty())
    for (auto [i, out] : llvm::enumerate(run->outputs))
      llvm::outs() << "result" << i << ": " << out.shapeString() << " "
                   << dtypeName(out.dtype) << "\n";
  return ok ? 0 : 1;
}

//===----------------------------------------------------------------------===//
// OUTDIR: a compiled model, through the runtime core
//===----------------------------------------------------------------------===//

static int runModelDirectory() {
  ModelRunOptions options;
  options.modelDir = inputFile;
  options.inputs.assign(inputs.begin(), inputs.end());
  options.compares.assign(compares.begin(), compares.end());
  if (randomSeed.getNumOccurrences())
    options.randomSeed = randomSeed;
  options.outputDir = outputDir;
  options.relTol = relTol;
  options.absTol = absTol;
  options.entryGiven = entryName.getNumOccurrences() != 0;
  options.referenceGiven = reference.getNumOccurrences() != 0;
  options.prompt = promptFile;
  if (generateTokens.getNumOccurrences()) {
    const std::string &text = generateTokens;
    unsigned long long n = 0;
    if (text.empty() || text.size() > 10 ||
        !llvm::all_of(text, [](char c) { return c >= '0' && c <= '9'; }) ||
        (n = std::stoull(text)) > 0xffffffffULL)
      return fail("--generate '" + text +
                  "' is not an unsigned 32-bit integer");
    options.generateTokens = n;
  }
  return mlir::loom::runModelDirectory(options, std::cout, std::cerr);
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  // The pipelines are built from registered passes.
  loom::registerAllPasses();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "Loom CPU runner\n");
  if (fixedPoint.getNumOccurrences()) {
    if (llvm::sys::fs::is_directory(inputFile))
      return fail("--fixed-point applies to .mlir files, not to the model "
                  "directory " +
                  inputFile);
    if (auto format = parseFixedPointFormat(fixedPoint); !format)
      return fail("--fixed-point: " + llvm::toString(format.takeError()));
  }
  if (llvm::sys::fs::is_directory(inputFile))
    return runModelDirectory();
  if (generateTokens.getNumOccurrences() || promptFile.getNumOccurrences())
    return fail("--generate and --prompt apply to model directories of "
                "`loomc --generate`, not to " +
                inputFile);
  return runMLIRFile();
}
