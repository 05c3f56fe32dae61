//===- CompiledModel.h - Load and run a loomc output directory --*- C++ -*-===//
//
// Loads the shared library that `loomc --target=cpu -o OUTDIR` wrote, as its
// manifest.json describes it, and runs it through `<name>_run_packed` (the
// C ABI of docs/Runtime.md). Inputs are checked against the manifest before
// the call; nothing here trusts the library to validate them.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_COMPILEDMODEL_H
#define LOOM_RUNTIME_COMPILEDMODEL_H

#include "loom/Runtime/Manifest.h"
#include "loom/Runtime/Npy.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace mlir {
namespace loom {

struct CompiledRunResult {
  std::vector<NpyArray> outputs;
  /// What `<name>_run_packed` returned: 0, or a RuntimeError code.
  int32_t runtimeError = 0;
};

/// Checks that `array` matches `spec` (shape and dtype); the error names the
/// input.
llvm::Error checkInputAgainstSpec(const TensorSpec &spec,
                                  const NpyArray &array);

class CompiledModel {
public:
  /// Reads `dir`/manifest.json, loads the library it names (which must lie in
  /// `dir`) and resolves the entry points. Checks that the library's ABI
  /// version matches the manifest's.
  static llvm::Expected<std::unique_ptr<CompiledModel>>
  load(llvm::StringRef dir);
  ~CompiledModel();
  CompiledModel(const CompiledModel &) = delete;
  CompiledModel &operator=(const CompiledModel &) = delete;

  const ModelManifest &getManifest() const { return manifest; }

  /// Runs the model on `inputs` (in manifest order). Outputs are poisoned
  /// (0xff bytes) before the call so an element the code fails to write shows
  /// up. It is an error if the library modified an input buffer: the ABI
  /// passes inputs as `const`.
  llvm::Expected<CompiledRunResult> run(llvm::ArrayRef<NpyArray> inputs) const;

private:
  using RunPackedFn = int32_t (*)(void **);
  CompiledModel() = default;

  ModelManifest manifest;
  void *handle = nullptr;
  RunPackedFn runPacked = nullptr;
};

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_COMPILEDMODEL_H
