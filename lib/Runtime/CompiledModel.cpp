//===- CompiledModel.cpp - Load and run a loomc output directory ----------===//
//
// dlopen()s OUTDIR/<library> with RTLD_NOW | RTLD_LOCAL: every symbol is
// resolved at load time (an unresolved one is a load error, not a crash in the
// middle of a run) and nothing the library defines leaks into the global
// namespace, so several models can be loaded side by side.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/CompiledModel.h"
#include "loom/Support/Errors.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstring>
#include <dlfcn.h>

using namespace mlir;
using namespace mlir::loom;

llvm::Error mlir::loom::checkInputAgainstSpec(const TensorSpec &spec,
                                              const NpyArray &array) {
  if (array.dtype == spec.dtype &&
      llvm::ArrayRef<int64_t>(array.shape) == llvm::ArrayRef(spec.shape))
    return llvm::Error::success();
  return makeError("input '" + spec.name + "' is " + array.shapeString() + " " +
                   dtypeName(array.dtype) + " but the model expects " +
                   spec.describe());
}

llvm::Expected<std::unique_ptr<CompiledModel>>
CompiledModel::load(llvm::StringRef dir) {
  llvm::SmallString<256> manifestPath(dir);
  llvm::sys::path::append(manifestPath, "manifest.json");
  if (!llvm::sys::fs::exists(manifestPath))
    return makeError(dir + ": not a compiled model directory (it has no "
                           "manifest.json; loomc --target=cpu -o DIR writes "
                           "one)");
  llvm::Expected<ModelManifest> manifest = readManifestFile(manifestPath);
  if (!manifest)
    return manifest.takeError();

  llvm::SmallString<256> libraryPath(dir);
  llvm::sys::path::append(libraryPath, manifest->library);
  // dlopen searches the library path for a name without a slash; make it one.
  if (std::error_code ec = llvm::sys::fs::make_absolute(libraryPath))
    return makeError(libraryPath + ": " + ec.message());
  if (!llvm::sys::fs::exists(libraryPath))
    return makeError(libraryPath + ": the library named in " + manifestPath +
                     " does not exist");

  std::unique_ptr<CompiledModel> model(new CompiledModel());
  model->manifest = std::move(*manifest);
  dlerror();
  model->handle = dlopen(libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!model->handle) {
    const char *reason = dlerror();
    return makeError(libraryPath + ": cannot load: " +
                     (reason ? reason : "unknown dlopen error"));
  }
  auto lookup = [&](llvm::StringRef symbol) -> void * {
    dlerror();
    return dlsym(model->handle, symbol.str().c_str());
  };
  const ModelManifest &m = model->manifest;
  void *runPacked = lookup(m.runPackedSymbol);
  if (!runPacked)
    return makeError(libraryPath + ": does not export '" + m.runPackedSymbol +
                     "' named in the manifest");
  model->runPacked = reinterpret_cast<RunPackedFn>(runPacked);
  void *abiVersion = lookup(m.abiVersionSymbol);
  if (!abiVersion)
    return makeError(libraryPath + ": does not export '" + m.abiVersionSymbol +
                     "' named in the manifest");
  int32_t libraryVersion = reinterpret_cast<int32_t (*)()>(abiVersion)();
  if (libraryVersion != m.abiVersion)
    return makeError(libraryPath + ": the library has ABI version " +
                     llvm::Twine(libraryVersion) + " but its manifest says " +
                     llvm::Twine(m.abiVersion));
  return model;
}

CompiledModel::~CompiledModel() {
  if (handle)
    dlclose(handle);
}

llvm::Expected<CompiledRunResult>
CompiledModel::run(llvm::ArrayRef<NpyArray> inputs) const {
  if (inputs.size() != manifest.inputs.size())
    return makeError("the model takes " + llvm::Twine(manifest.inputs.size()) +
                     " inputs but " + llvm::Twine(inputs.size()) +
                     " were given");
  for (auto [spec, array] : llvm::zip_equal(manifest.inputs, inputs))
    if (llvm::Error e = checkInputAgainstSpec(spec, array))
      return std::move(e);

  // The library gets its own copies; the originals show whether it wrote
  // into an input.
  std::vector<NpyArray> inputCopies(inputs.begin(), inputs.end());
  CompiledRunResult result;
  for (const TensorSpec &spec : manifest.outputs) {
    NpyArray out = makeNpyArray(spec.dtype, spec.shape);
    std::memset(out.data.data(), 0xff, out.data.size());
    result.outputs.push_back(std::move(out));
  }
  std::vector<void *> args;
  for (NpyArray &in : inputCopies)
    args.push_back(in.data.data());
  for (NpyArray &out : result.outputs)
    args.push_back(out.data.data());
  result.runtimeError = runPacked(args.data());

  for (auto [spec, original, copy] :
       llvm::zip_equal(manifest.inputs, inputs, inputCopies))
    if (original.data != copy.data)
      return makeError("the library wrote into input '" + spec.name +
                       "', which the ABI passes as const");
  return result;
}
