//===- TargetBackend.cpp - The registry of loomc's targets ----------------===//

#include "loom/Target/TargetBackend.h"
#include "loom/Support/Errors.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"

#include <algorithm>
#include <mutex>

using namespace mlir;
using namespace mlir::loom;

OutputFiles::~OutputFiles() = default;
TargetArtifact::~TargetArtifact() = default;
TargetBackend::~TargetBackend() = default;

namespace {
struct Registry {
  std::mutex mutex;
  llvm::StringMap<std::unique_ptr<TargetBackend>> backends;
};
} // namespace

static Registry &getRegistry() {
  static Registry registry;
  return registry;
}

void mlir::loom::registerTargetBackend(std::unique_ptr<TargetBackend> backend) {
  Registry &registry = getRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  std::string name = backend->getName().str();
  registry.backends.try_emplace(name, std::move(backend));
}

const TargetBackend *mlir::loom::lookupTargetBackend(llvm::StringRef name) {
  Registry &registry = getRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  auto it = registry.backends.find(name);
  return it == registry.backends.end() ? nullptr : it->second.get();
}

std::vector<std::string> mlir::loom::getRegisteredTargetBackendNames() {
  Registry &registry = getRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  std::vector<std::string> names;
  for (const auto &entry : registry.backends)
    names.push_back(entry.getKey().str());
  std::sort(names.begin(), names.end());
  return names;
}

llvm::Error mlir::loom::checkNoHLSOptions(const TargetOptions &options,
                                          llvm::StringRef target) {
  if (options.hls.anySet())
    return makeError("--hls-precision, --hls-rounding, --hls-overflow, "
                     "--hls-ii, --hls-unroll and --hls-part apply to "
                     "--target=hls, not " +
                     target + " (as does --hls-dataflow)");
  return llvm::Error::success();
}

llvm::Expected<OwningOpRef<ModuleOp>>
mlir::loom::cloneForEntryPoint(ModuleOp module, const ModelManifest &manifest) {
  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone()));
  auto entry = copy->lookupSymbol<func::FuncOp>(manifest.function);
  if (!entry || entry.isExternal())
    return makeError("no function @" + manifest.function +
                     " with a body in the module");
  // Other functions matter only as callees of the entry; symbol-dce drops
  // the rest before they cost compile time or trip a lowering.
  for (auto func : copy->getOps<func::FuncOp>())
    if (func != entry && !func.isExternal())
      func.setPrivate();
  // The ABI passes inputs as `const T *`: bufferization must not write into
  // argument buffers (it copies instead).
  MLIRContext *context = module.getContext();
  for (unsigned i = 0, e = entry.getNumArguments(); i < e; ++i)
    entry.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                     BoolAttr::get(context, false));
  return copy;
}
