//===- ModelRunner.h - loom-run on a compiled model directory ---*- C++ -*-===//
//
// What `loom-run OUTDIR` does, as a library function of the runtime core (no
// LLVM, no MLIR), so that loom-run and loom-run-model (a runner without the
// compiler) behave alike:
//
//   loom-run OUTDIR [--input [NAME=]X.npy]... [--random-seed N]
//            [--output-dir DIR] [--compare [NAME=]REF.npy]... [--rtol R]
//            [--atol A]
//
// loads the library `loomc --target=cpu -o OUTDIR` wrote (CompiledModel.h),
// checks the inputs against OUTDIR/manifest.json, calls it and writes each
// output as DIR/<output name>.npy. A plain --input / --compare applies to the
// next input / output in order that has none yet. docs/Runtime.md describes
// the flags; the exit status is 0 when everything ran and matched, 1
// otherwise, with one `error: ...` line on the error stream.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_MODELRUNNER_H
#define LOOM_RUNTIME_MODELRUNNER_H

#include "loom/Runtime/Result.h"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace loom {

struct ModelRunOptions {
  std::string modelDir;
  /// --input and --compare texts, `[NAME=]FILE.npy`, in command-line order.
  std::vector<std::string> inputs, compares;
  std::optional<uint64_t> randomSeed;
  std::string outputDir;
  double relTol = 1e-5;
  double absTol = 1e-6;
  /// Flags of the .mlir mode that were given (errors for a directory).
  bool entryGiven = false;
  bool referenceGiven = false;
  /// --prompt IDS.npy and --generate N: greedy generation of N tokens with
  /// a `loomc --generate` model (the first from the prefill, one decode
  /// step for each of the others).
  std::string prompt;
  std::optional<uint64_t> generateTokens;
};

/// Runs a model directory as loom-run does; reports go to `out`, the error
/// line to `err`. Returns the exit status (0 or 1).
int runModelDirectory(const ModelRunOptions &options, std::ostream &out,
                      std::ostream &err);

/// Parses the command line of a runner of model directories (loom-run's
/// flags, spelled -flag or --flag, with the value after '=' or as the next
/// argument). Returns std::nullopt and prints the usage to `out` for
/// --help; a malformed command line is an error.
Result<std::optional<ModelRunOptions>>
parseModelRunArguments(const std::vector<std::string> &arguments,
                       const std::string &toolName, std::ostream &out);

/// main() of a runner of model directories: parses `argv` and runs.
int modelRunnerMain(int argc, char **argv);

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_MODELRUNNER_H
