//===- loom-import-onnx.cpp - ONNX model to MLIR --------------------------===//
//
//   loom-import-onnx MODEL.onnx [-o FILE] [--function NAME]
//                    [--inline-constant-limit N] [--max-constant-bytes SIZE]
//                    [--shape INPUT=DxDx...|SYMBOL=N[,...]]...
//
// Prints the imported module to stdout, or writes it to FILE through a
// temporary file and a rename so that a failed import leaves no output file.
// Exit status: 0 on success, 1 with a one-line `error:` message otherwise.
//
//===----------------------------------------------------------------------===//

#include "loom/Frontend/ONNX/ONNXImporter.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("loom-import-onnx options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string>
    outputFile("o", cl::desc("Output file (default: stdout)"),
               cl::value_desc("FILE"), cl::cat(category));
static cl::opt<std::string>
    functionName("function", cl::desc("Name of the generated function"),
                 cl::init("main"), cl::cat(category));
static cl::opt<int64_t> inlineLimit(
    "inline-constant-limit",
    cl::desc("Constants with at most this many elements are printed inline "
             "as dense<...>; larger ones become dense_resource blobs"),
    cl::init(16), cl::cat(category));
static cl::opt<std::string> maxConstantBytes(
    "max-constant-bytes",
    cl::desc("Largest constant the importer creates (initializers, folded "
             "results, ConstantOfShape, ...): bytes, or with a K, M, G or T "
             "suffix (default 1G)"),
    cl::value_desc("SIZE"), cl::init("1G"), cl::cat(category));

static cl::list<std::string> shapes(
    "shape",
    cl::desc("Sizes for symbolic input dimensions: INPUT=DxDx... (an input's "
             "full shape) or SYMBOL=N (every dimension named SYMBOL); "
             "repeatable and comma-separated"),
    cl::value_desc("SPEC[,SPEC...]"), cl::cat(category));

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "Loom ONNX importer\n");

  DialectRegistry registry;
  loom::registerONNXImportDialects(registry);
  MLIRContext context(registry);
  loom::ONNXImportOptions options;
  options.functionName = functionName;
  if (inlineLimit < 0) {
    llvm::errs() << "error: --inline-constant-limit must be >= 0\n";
    return 1;
  }
  options.inlineConstantLimit = inlineLimit;
  llvm::Expected<uint64_t> maxBytes =
      loom::parseMaxConstantBytesOption(maxConstantBytes);
  if (!maxBytes) {
    llvm::errs() << "error: " << llvm::toString(maxBytes.takeError()) << "\n";
    return 1;
  }
  options.maxConstantBytes = *maxBytes;
  for (const std::string &shape : shapes) {
    if (llvm::Error e = loom::parseShapeOption(shape, options.shapes)) {
      llvm::errs() << "error: " << llvm::toString(std::move(e)) << "\n";
      return 1;
    }
  }
  std::string error;
  OwningOpRef<ModuleOp> module =
      loom::importONNXModel(&context, inputFile, options, error);
  if (!module) {
    llvm::errs() << "error: " << inputFile << ": " << error << "\n";
    return 1;
  }
  OpPrintingFlags flags;
  if (outputFile.empty() || outputFile == "-") {
    module->print(llvm::outs(), flags);
    llvm::outs() << "\n";
    llvm::outs().flush();
    return 0;
  }
  // Write next to the destination, then rename: no partial output on failure.
  SmallString<256> tmp;
  SmallString<256> dir(outputFile.getValue());
  llvm::sys::path::remove_filename(dir);
  llvm::sys::path::append(dir, llvm::sys::path::filename(outputFile) +
                                   ".tmp-%%%%%%");
  int fd;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(dir, fd, tmp)) {
    llvm::errs() << "error: cannot create a temporary file for '" << outputFile
                 << "': " << ec.message() << "\n";
    return 1;
  }
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    module->print(os, flags);
    os << "\n";
    os.close();
    if (os.has_error()) {
      llvm::errs() << "error: cannot write '" << tmp
                   << "': " << os.error().message() << "\n";
      os.clear_error();
      llvm::sys::fs::remove(tmp);
      return 1;
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(tmp, outputFile)) {
    llvm::errs() << "error: cannot rename '" << tmp << "' to '" << outputFile
                 << "': " << ec.message() << "\n";
    llvm::sys::fs::remove(tmp);
    return 1;
  }
  return 0;
}
