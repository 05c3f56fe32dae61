//===- Result.h - Errors of the runtime core library ------------*- C++ -*-===//
//
// The runtime core (LoomRuntimeCore: manifest, .npy, model loader, C API)
// links neither LLVM nor MLIR, so it cannot use llvm::Error. Its functions
// return a Status (success, or a failure with a one-line message) or a
// Result<T> (a value, or such a failure). Messages say what is wrong and
// name the file or field; callers print them after "error: ".
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_RESULT_H
#define LOOM_RUNTIME_RESULT_H

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace mlir {
namespace loom {

/// Success, or a failure with its message.
class [[nodiscard]] Status {
public:
  /// Success.
  Status() = default;
  static Status error(std::string message) {
    Status status;
    status.failed = true;
    status.text = std::move(message);
    return status;
  }

  bool ok() const { return !failed; }
  /// The failure's message ("" on success).
  const std::string &message() const { return text; }

private:
  bool failed = false;
  std::string text;
};

/// A value of type T, or a failure with its message.
template <typename T> class [[nodiscard]] Result {
public:
  Result(T value) : value(std::move(value)) {}
  /// A failure; `status` must not be a success.
  Result(Status status) : failure(std::move(status)) {
    assert(!failure.ok() && "a Result needs a value or a failure");
  }

  bool ok() const { return value.has_value(); }
  explicit operator bool() const { return ok(); }
  T &operator*() { return *value; }
  const T &operator*() const { return *value; }
  T *operator->() { return &*value; }
  const T *operator->() const { return &*value; }

  /// The failure's message ("" for a value).
  const std::string &message() const { return failure.message(); }
  Status status() const { return failure; }

private:
  std::optional<T> value;
  Status failure;
};

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_RESULT_H
