//===- RuntimeErrors.h - Errors compiled code reports to its host -*- C++ -*-===//
//
// Compiled Loom code never aborts or writes out of bounds on a run-time error
// (for example appending past a KV cache's capacity): it calls
//
//   void loom_runtime_error(int32_t code);
//
// and leaves the offending write undone. The host (loom-run, the .so runtime)
// provides that symbol, records the code and reports it to the caller. Lowerings
// declare it with `getOrInsertRuntimeErrorFn` and call it under an scf.if.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_RUNTIMEERRORS_H
#define LOOM_RUNTIME_RUNTIMEERRORS_H

#include <cstdint>

namespace mlir {
namespace loom {

/// The symbol compiled code calls on a run-time error.
inline constexpr const char *kRuntimeErrorFnName = "loom_runtime_error";

/// Error codes passed to loom_runtime_error.
enum class RuntimeError : int32_t {
  None = 0,
  /// loom.kv.append would write past the cache capacity; nothing was written.
  KVCacheCapacityExceeded = 1,
};

/// A human-readable description of `code`.
inline const char *describeRuntimeError(int32_t code) {
  switch (static_cast<RuntimeError>(code)) {
  case RuntimeError::None:
    return "no error";
  case RuntimeError::KVCacheCapacityExceeded:
    return "loom.kv.append: appending past the KV cache capacity (nothing was "
           "written)";
  }
  return "unknown loom runtime error";
}

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_RUNTIMEERRORS_H
