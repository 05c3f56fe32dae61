//===- CompiledModel.h - Load and run a loomc output directory --*- C++ -*-===//
//
// Loads the shared library that `loomc --target=cpu -o OUTDIR` wrote, as its
// manifest.json describes it, and runs it through `<name>_run_packed` (the
// C ABI of docs/Runtime.md). Part of the runtime core (no LLVM, no MLIR).
//
// The directory is untrusted: the manifest is parsed strictly
// (Manifest.h), the library must be a regular file inside the directory,
// every entry point must resolve to the model's own prefixed symbol defined
// in that library (not in one it depends on), and the library's exported
// signature (ModelSignature.h) must say exactly what the manifest says
// before any of its functions is called. Inputs are checked against the
// manifest before a call; nothing here trusts the library to validate them.
//
// Loading a library runs its code (static constructors): these checks catch
// a corrupted or mismatched model directory, not a malicious library.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_COMPILEDMODEL_H
#define LOOM_RUNTIME_COMPILEDMODEL_H

#include "loom/Runtime/Manifest.h"
#include "loom/Runtime/Npy.h"
#include "loom/Runtime/Result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
namespace loom {

/// What CompiledModel::generateGreedy did.
struct GenerateResult {
  /// 0, or the code of the call that failed: the prefill when `failedStep`
  /// is 0, else decode step `failedStep` (1-based).
  int32_t runtimeError = 0;
  int64_t failedStep = -1;
  /// Wall time of the prefill and of each decode step that ran.
  double prefillSeconds = 0;
  std::vector<double> stepSeconds;
};

struct CompiledRunResult {
  std::vector<NpyArray> outputs;
  /// What `<name>_run_packed` returned: 0, or a RuntimeError code.
  int32_t runtimeError = 0;
};

/// Checks that `array` matches `spec` (shape and dtype); the error names the
/// input.
Status checkInputAgainstSpec(const TensorSpec &spec, const NpyArray &array);

class CompiledModel {
public:
  /// Reads `dir`/manifest.json, loads the library it names (a regular file
  /// in `dir`), resolves the entry points and checks the library's ABI
  /// version and signature against the manifest.
  static Result<std::unique_ptr<CompiledModel>> load(const std::string &dir);
  ~CompiledModel();
  CompiledModel(const CompiledModel &) = delete;
  CompiledModel &operator=(const CompiledModel &) = delete;

  const ModelManifest &getManifest() const { return manifest; }
  /// The library's absolute path.
  const std::string &getLibraryPath() const { return libraryPath; }

  /// Runs the model on `inputs` (in manifest order), checked against the
  /// manifest. Outputs are poisoned (0xff bytes) before the call so an
  /// element the code fails to write shows up. It is an error if the library
  /// modified an input buffer: the ABI passes inputs as `const`.
  Result<CompiledRunResult> run(const std::vector<NpyArray> &inputs) const;

  /// Calls `<name>_run_packed(args)` as it is: `args` holds the input
  /// pointers, then the output pointers, each a buffer of the manifest's
  /// shape and dtype (the caller's responsibility).
  int32_t runPacked(void **args) const { return runPackedFn(args); }

  /// Whether the library is a `cuda` target's (it then has a device entry).
  bool hasDeviceEntry() const { return runDevicePackedFn != nullptr; }

  /// Calls a CUDA model's `<name>_run_device_packed(args, stream)`: `args`
  /// holds device pointers (inputs, then outputs) and `stream` is a
  /// `CUstream` (null: the legacy default stream); the call only enqueues.
  /// Only valid when hasDeviceEntry().
  int32_t runDevicePacked(void **args, void *stream) const {
    return runDevicePackedFn(args, stream);
  }

  /// What a nonzero `code` from a run means, from the library itself
  /// (`<name>_error_message`, which knows the target's own codes), followed
  /// for a CUDA model by the calling thread's `<name>_last_error()` (the
  /// failed driver call) when it says anything.
  std::string describeError(int32_t code) const;

  /// Whether the library is a `loomc --generate` one (manifest "generate");
  /// the calls below are only valid then. They are the library's cache API
  /// (docs/loomc.md): one cache object per sequence, not shared between
  /// threads; buffers are sized by the manifest (P tokens, P x V and V
  /// logits).
  bool isGenerate() const { return cacheCreateFn != nullptr; }
  /// A new cache object, or null when memory runs out.
  void *createCache() const { return cacheCreateFn(); }
  void freeCache(void *cache) const { cacheFreeFn(cache); }
  int32_t generatePrefill(void *cache, const int64_t *tokens,
                          float *logits) const {
    return generatePrefillFn(cache, tokens, logits);
  }
  int32_t generateStep(void *cache, int64_t token, int64_t position,
                       float *logits) const {
    return generateStepFn(cache, token, position, logits);
  }

  /// Greedy generation (isGenerate() only): prefills `prompt` (the
  /// manifest's prompt length of tokens) and writes `count` new tokens to
  /// `tokens`, the first the argmax of the prefill's last logits row, each
  /// other the argmax of a decode step fed the previous one; `rows` (null,
  /// or count x vocab floats) receives each token's logits row. Stops at the
  /// first run-time error. An error only when the cache cannot be allocated.
  Result<GenerateResult> generateGreedy(const int64_t *prompt, uint64_t count,
                                        int64_t *tokens, float *rows) const;

private:
  using CacheCreateFn = void *(*)();
  using CacheFreeFn = void (*)(void *);
  using GeneratePrefillFn = int32_t (*)(void *, const int64_t *, float *);
  using GenerateStepFn = int32_t (*)(void *, int64_t, int64_t, float *);
  using RunPackedFn = int32_t (*)(void **);
  using RunDevicePackedFn = int32_t (*)(void **, void *);
  using ErrorMessageFn = const char *(*)(int32_t);
  using LastErrorFn = const char *(*)();
  CompiledModel() = default;

  ModelManifest manifest;
  std::string libraryPath;
  void *handle = nullptr;
  RunPackedFn runPackedFn = nullptr;
  RunDevicePackedFn runDevicePackedFn = nullptr;
  ErrorMessageFn errorMessageFn = nullptr;
  LastErrorFn lastErrorFn = nullptr;
  CacheCreateFn cacheCreateFn = nullptr;
  CacheFreeFn cacheFreeFn = nullptr;
  GeneratePrefillFn generatePrefillFn = nullptr;
  GenerateStepFn generateStepFn = nullptr;
};

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_COMPILEDMODEL_H
