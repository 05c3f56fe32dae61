//===- RuntimeErrors.h - Errors compiled code reports -----------*- C++ -*-===//
//
// Compiled Loom code never aborts or writes out of bounds on a run-time error
// (for example appending past a KV cache's capacity): it calls
//
//   void loom_runtime_error(int32_t code);
//
// and leaves the offending write undone. The host (loom-run's JIT; in a
// compiled library, code loomc generates into the .so) provides that symbol,
// records the code and reports it to the caller. Lowerings
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
  /// A CPU kernel could not allocate its scratch memory; outputs are
  /// incomplete.
  OutOfMemory = 2,
  /// A `--generate` library's cache API was called with an argument it
  /// refuses (a token outside the vocabulary, a negative position, a step
  /// before the prefill, a null pointer); nothing was run.
  InvalidArgument = 3,
  /// loom.kv.resize would drop valid entries; the result is an empty cache.
  KVCacheResizeBelowLength = 4,
  /// A decode step (loom-insert-kv-cache) was called at a position past the
  /// tokens its position-dependent tables (rotary cos/sin) cover; its outputs
  /// are not meaningful.
  PositionOutOfRange = 5,
  /// A decode step was called with a position other than the cache's next
  /// position (the number of tokens appended so far); its outputs are not
  /// meaningful.
  PositionMismatch = 6,
};

/// The largest code in RuntimeError; codes 0..kLastRuntimeError are the ones
/// compiled libraries describe (`<name>_error_message`) and their headers
/// define as LOOM_* macros.
inline constexpr int32_t kLastRuntimeError = 6;

/// The macro name of `code` in generated C headers (LOOM_OK, LOOM_ERROR_...),
/// nullptr for an unknown code.
inline const char *getRuntimeErrorMacroName(int32_t code) {
  switch (static_cast<RuntimeError>(code)) {
  case RuntimeError::None:
    return "LOOM_OK";
  case RuntimeError::KVCacheCapacityExceeded:
    return "LOOM_ERROR_KV_CACHE_CAPACITY_EXCEEDED";
  case RuntimeError::OutOfMemory:
    return "LOOM_ERROR_OUT_OF_MEMORY";
  case RuntimeError::InvalidArgument:
    return "LOOM_ERROR_INVALID_ARGUMENT";
  case RuntimeError::KVCacheResizeBelowLength:
    return "LOOM_ERROR_KV_CACHE_RESIZE_BELOW_LENGTH";
  case RuntimeError::PositionOutOfRange:
    return "LOOM_ERROR_POSITION_OUT_OF_RANGE";
  case RuntimeError::PositionMismatch:
    return "LOOM_ERROR_POSITION_MISMATCH";
  }
  return nullptr;
}

/// A human-readable description of `code`.
inline const char *describeRuntimeError(int32_t code) {
  switch (static_cast<RuntimeError>(code)) {
  case RuntimeError::None:
    return "no error";
  case RuntimeError::KVCacheCapacityExceeded:
    return "loom.kv.append: appending past the KV cache capacity (nothing was "
           "written)";
  case RuntimeError::OutOfMemory:
    return "a CPU kernel could not allocate its scratch memory (the outputs "
           "are incomplete)";
  case RuntimeError::InvalidArgument:
    return "invalid argument: a token outside the vocabulary, a negative "
           "position, a step before the prefill or a null pointer (nothing "
           "was run)";
  case RuntimeError::KVCacheResizeBelowLength:
    return "loom.kv.resize: the new capacity is below the cache's length (the "
           "result is an empty cache)";
  case RuntimeError::PositionOutOfRange:
    return "decode_step: the position is outside the positions the model's "
           "export covers (its position tables, e.g. rotary cos/sin, end "
           "there)";
  case RuntimeError::PositionMismatch:
    return "decode_step: the position differs from the KV cache's next "
           "position (the number of tokens appended so far)";
  }
  return "unknown loom runtime error";
}

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_RUNTIMEERRORS_H
