//===- RunnerSupport.h - What loom-run's two modes share --------*- C++ -*-===//
//
// loom-run runs either an .mlir file through the JIT or a compiled model
// directory through its shared library. Both compare results with reference
// .npy files and synthesise seeded random inputs the same way, so a compiled
// model and its source IR can be checked against each other.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_RUNNERSUPPORT_H
#define LOOM_RUNTIME_RUNNERSUPPORT_H

#include "loom/Runtime/Npy.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <random>

namespace mlir {
namespace loom {

/// Compares `actual` with `expected` and prints one report line to `os`:
///
///   LABEL: SHAPE DTYPE vs REFNAME: max_abs_err=... max_rel_err=...
///       max_abs_err/max_abs_ref=... (rtol=R, atol=A): ok
///
/// (or `: FAIL, N of M elements out of tolerance ...`). Returns true when every
/// element satisfies |a - e| <= absTol + relTol * |e|; a NaN matches only a
/// NaN, equal values (infinities included) always match.
bool compareWithReference(llvm::raw_ostream &os, llvm::StringRef label,
                          const NpyArray &actual, const NpyArray &expected,
                          llvm::StringRef refName, double relTol,
                          double absTol);

/// Seeded uniform [-1, 1) data for float inputs that were not given. Arrays
/// are filled in the order they are requested from one stream, so the same
/// seed gives the same inputs in both loom-run modes.
class RandomInputGenerator {
public:
  explicit RandomInputGenerator(uint64_t seed) : rng(seed) {}

  /// A new array of `dtype` (a float type) and `shape` with random elements.
  NpyArray generate(DType dtype, llvm::ArrayRef<int64_t> shape);

private:
  std::mt19937_64 rng;
  std::uniform_real_distribution<double> distribution{-1.0, 1.0};
};

/// A file name for `name` (an ONNX value name, say): characters other than
/// [A-Za-z0-9._-] become '_', and a name that would be empty, hidden or a
/// path component ("." or "..") gets a leading '_'.
std::string sanitizeFileName(llvm::StringRef name);

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_RUNNERSUPPORT_H
