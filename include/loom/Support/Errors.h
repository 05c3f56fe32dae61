//===- Errors.h - llvm::Error helpers shared by the libraries --*- C++ -*-===//
//
// The driver, the runtime and the CPU target report failures as llvm::Error
// values with a message and no error code, and write files through
// raw_fd_ostream, whose write errors surface only when the stream is closed.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_SUPPORT_ERRORS_H
#define LOOM_SUPPORT_ERRORS_H

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir {
namespace loom {

/// An error carrying `message`.
inline llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Closes `os` and returns the message of the write error it held (cleared,
/// so that the stream does not abort on destruction), or "" when every write
/// succeeded.
inline std::string closeAndTakeWriteError(llvm::raw_fd_ostream &os) {
  os.close();
  if (!os.has_error())
    return "";
  std::string message = os.error().message();
  os.clear_error();
  return message;
}

} // namespace loom
} // namespace mlir

#endif // LOOM_SUPPORT_ERRORS_H
