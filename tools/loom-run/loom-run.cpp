//===- loom-run.cpp - Execute loom IR on the host CPU ----------------------===//
//
// Compiles one function of an .mlir file with loom-cpu-pipeline, runs it on
// inputs from .npy files (or seeded random data), writes its results as .npy and
// compares them with references.
//
//   loom-run FILE.mlir [--entry NAME] [--input X.npy]... [--random-seed N]
//            [--output-dir DIR] [--compare REF.npy]... [--relTol R] [--absTol A]
//
// Exit status: 0 when everything ran and matched, 1 otherwise.
//
//===----------------------------------------------------------------------===//

#include "loom/InitAllDialects.h"
#include "loom/InitAllPasses.h"
#include "loom/Runtime/JitRunner.h"
#include "loom/Runtime/Npy.h"
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

#include <cmath>
#include <random>

using namespace mlir;
using namespace mlir::loom;
namespace cl = llvm::cl;

static cl::OptionCategory category("loom-run options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input .mlir>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string>
    entryName("entry", cl::desc("Function to run (default: the only public "
                                "function with a body)"),
              cl::cat(category));
static cl::list<std::string>
    inputs("input", cl::desc("An .npy file per argument, in order"),
           cl::cat(category));
static cl::opt<unsigned>
    randomSeed("random-seed",
               cl::desc("Fill arguments without --input with uniform [-1, 1) "
                        "floats from this seed"),
               cl::cat(category));
static cl::opt<std::string>
    outputDir("output-dir", cl::desc("Write results as DIR/result<i>.npy"),
              cl::cat(category));
static cl::list<std::string>
    compares("compare", cl::desc("Reference .npy for result i (i-th flag)"),
             cl::cat(category));
static cl::opt<double> relTol("rtol", cl::desc("Relative tolerance"),
                            cl::init(1e-5), cl::cat(category));
static cl::opt<double> absTol("atol", cl::desc("Absolute tolerance"),
                            cl::init(1e-6), cl::cat(category));

static int fail(const llvm::Twine &msg) {
  llvm::errs() << "error: " << msg << "\n";
  return 1;
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

/// Compares `actual` with `expected`; prints a report line; true when every
/// element satisfies |a - e| <= absTol + relTol * |e| (NaN only where expected).
static bool compare(unsigned index, const NpyArray &actual,
                    const NpyArray &expected, StringRef refName) {
  llvm::outs() << "result" << index << ": ";
  if (actual.shape != expected.shape) {
    llvm::outs() << "shape " << actual.shapeString()
                 << " does not match reference " << refName << " shape "
                 << expected.shapeString() << ": FAIL\n";
    return false;
  }
  double maxAbs = 0, maxRef = 0, maxRel = 0;
  int64_t bad = 0, nans = 0, worst = -1;
  for (int64_t i = 0, e = actual.numElements(); i < e; ++i) {
    double a = actual.getAsDouble(i), r = expected.getAsDouble(i);
    if (std::isnan(r)) {
      if (!std::isnan(a))
        ++bad;
      continue;
    }
    maxRef = std::max(maxRef, std::fabs(r));
    if (std::isnan(a)) {
      ++nans;
      ++bad;
      continue;
    }
    double err = std::fabs(a - r);
    if (std::isinf(r) && a == r)
      err = 0;
    if (err > maxAbs) {
      maxAbs = err;
      worst = i;
    }
    if (r != 0)
      maxRel = std::max(maxRel, err / std::fabs(r));
    // Equal values always match (0 * inf tolerance bounds would be NaN).
    if (err != 0 && !(err <= absTol + relTol * std::fabs(r)))
      ++bad;
  }
  llvm::outs() << actual.shapeString() << " " << dtypeName(actual.dtype)
               << " vs " << refName << ": max_abs_err=" << maxAbs
               << " max_rel_err=" << maxRel << " max_abs_err/max_abs_ref="
               << (maxRef > 0 ? maxAbs / maxRef : maxAbs)
               << " (rtol=" << relTol << ", atol=" << absTol << ")";
  if (bad) {
    llvm::outs() << ": FAIL, " << bad << " of " << actual.numElements()
                 << " elements out of tolerance";
    if (nans)
      llvm::outs() << " (" << nans << " NaN)";
    if (worst >= 0)
      llvm::outs() << ", worst at flat index " << worst << ": got "
                   << actual.getAsDouble(worst) << ", expected "
                   << expected.getAsDouble(worst);
    llvm::outs() << "\n";
    return false;
  }
  llvm::outs() << ": ok\n";
  return true;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  // The pipelines are built from registered passes.
  loom::registerAllPasses();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "Loom CPU runner\n");

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
    auto array = readNpyFile(path);
    if (!array)
      return fail(llvm::toString(array.takeError()));
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
    std::mt19937_64 rng(randomSeed);
    std::uniform_real_distribution<double> dist(-1.0, 1.0);
    for (size_t i = args.size(); i < argTypes->size(); ++i) {
      RankedTensorType t = (*argTypes)[i];
      if (!isa<FloatType>(t.getElementType()))
        return fail("argument " + llvm::Twine(i) +
                    " is not a float tensor: it needs --input");
      NpyArray a = makeNpyArray(
          *getDTypeFor(t.getElementType()),
          std::vector<int64_t>(t.getShape().begin(), t.getShape().end()));
      for (int64_t k = 0, e = a.numElements(); k < e; ++k)
        a.setFromDouble(k, dist(rng));
      args.push_back(std::move(a));
    }
  }

  auto run = runOnCPU(*module, *entry, args);
  if (!run)
    return fail(llvm::toString(run.takeError()));
  if (run->runtimeError != 0)
    return fail(llvm::Twine("runtime error: ") +
                describeRuntimeError(run->runtimeError));

  if (!outputDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
      return fail("cannot create " + outputDir + ": " + ec.message());
    for (auto [i, out] : llvm::enumerate(run->outputs)) {
      llvm::SmallString<256> path(outputDir);
      llvm::sys::path::append(path, "result" + std::to_string(i) + ".npy");
      if (llvm::Error e = writeNpyFile(path, out))
        return fail(llvm::toString(std::move(e)));
    }
  }

  if (compares.size() > run->outputs.size())
    return fail(llvm::Twine(compares.size()) + " references given but @" +
                *entry + " has " + llvm::Twine(run->outputs.size()) +
                " results");
  bool ok = true;
  for (auto [i, path] : llvm::enumerate(compares)) {
    auto ref = readNpyFile(path);
    if (!ref)
      return fail(llvm::toString(ref.takeError()));
    ok &= compare(i, run->outputs[i], *ref, llvm::sys::path::filename(path));
  }
  if (compares.empty())
    for (auto [i, out] : llvm::enumerate(run->outputs))
      llvm::outs() << "result" << i << ": " << out.shapeString() << " "
                   << dtypeName(out.dtype) << "\n";
  return ok ? 0 : 1;
}
