//===- OutputDirectory.h - Write an output directory atomically -*- C++ -*-===//
//
// loomc writes OUTDIR as a unit: every file goes into a hidden staging
// directory next to OUTDIR (`.<OUTDIR>.loomc-tmp-XXXXXX`), which becomes
// OUTDIR only on commit(). A failure before that removes the staging
// directory and leaves OUTDIR as it was.
//
// An existing OUTDIR is replaced only when it is an empty directory or one
// that loomc wrote (its manifest.json says "generator": "loomc"); the swap is
// one renameat2(RENAME_EXCHANGE), so readers see either the old or the new
// directory, never a mix. Anything else at OUTDIR (a file, a symbolic link, a
// directory of other files) is an error and is left untouched.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DRIVER_OUTPUTDIRECTORY_H
#define LOOM_DRIVER_OUTPUTDIRECTORY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace mlir {
namespace loom {

class StagedOutputDirectory {
public:
  /// Checks that `destination` may be written (see above) and creates the
  /// staging directory next to it.
  static llvm::Expected<std::unique_ptr<StagedOutputDirectory>>
  create(llvm::StringRef destination);

  /// Whether `destination` may be written: its parent exists, and it is
  /// absent, an empty directory or a loomc output directory. The error says
  /// why not.
  static llvm::Error checkDestination(llvm::StringRef destination);

  /// Removes every staging directory that is neither committed nor
  /// destroyed yet (for fatal-error and signal handlers, which do not
  /// unwind). Async-signal-safe: system calls only, no locks or allocation.
  static void removeAllPending();

  /// Removes the staging directory unless it was committed.
  ~StagedOutputDirectory();
  StagedOutputDirectory(const StagedOutputDirectory &) = delete;
  StagedOutputDirectory &operator=(const StagedOutputDirectory &) = delete;

  /// The path of `fileName` inside the staging directory.
  std::string getPath(llvm::StringRef fileName) const;

  /// Writes `contents` to `fileName` in the staging directory.
  llvm::Error writeFile(llvm::StringRef fileName, llvm::StringRef contents);

  /// Moves the staging directory to the destination (replacing a previous
  /// loomc output directory there).
  llvm::Error commit();

private:
  StagedOutputDirectory(std::string destination, std::string staging);

  std::string destination;
  std::string staging;
  bool committed = false;
};

} // namespace loom
} // namespace mlir

#endif // LOOM_DRIVER_OUTPUTDIRECTORY_H
