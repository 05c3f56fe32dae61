//===- RunnerSupport.h - What loom-run's two modes share --------*- C++ -*-===//
//
// loom-run runs either an .mlir file through the JIT or a compiled model
// directory through its shared library. Both compare results with reference
// .npy files and synthesise seeded random inputs the same way, so a compiled
// model and its source IR can be checked against each other. Part of the
// runtime core (no LLVM, no MLIR).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_RUNNERSUPPORT_H
#define LOOM_RUNTIME_RUNNERSUPPORT_H

#include "loom/Runtime/Npy.h"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace mlir {
namespace loom {

/// Compares `actual` with `expected` and appends one report line to
/// `report`:
///
///   LABEL: SHAPE DTYPE vs REFNAME: max_abs_err=... max_rel_err=...
///       max_abs_err/max_abs_ref=... (rtol=R, atol=A): ok
///
/// (or `: FAIL, N of M elements out of tolerance ...`). Returns true when every
/// element satisfies |a - e| <= absTol + relTol * |e|; a NaN matches only a
/// NaN, equal values (infinities included) always match.
bool compareWithReference(std::string &report, const std::string &label,
                          const NpyArray &actual, const NpyArray &expected,
                          const std::string &refName, double relTol,
                          double absTol);

/// `value` as the runner reports print it: printf's %e, or nan / INF / -INF.
std::string formatReportNumber(double value);

/// Seeded uniform [-1, 1) data for float inputs that were not given. Arrays
/// are filled in the order they are requested from one stream, so the same
/// seed gives the same inputs in both loom-run modes.
class RandomInputGenerator {
public:
  explicit RandomInputGenerator(uint64_t seed) : rng(seed) {}

  /// A new array of `dtype` (a float type) and `shape` with random elements.
  NpyArray generate(DType dtype, const std::vector<int64_t> &shape);
  /// Fills `count` elements of `dtype` at `data` from the stream.
  void fill(DType dtype, void *data, int64_t count);

private:
  std::mt19937_64 rng;
  std::uniform_real_distribution<double> distribution{-1.0, 1.0};
};

/// A file name for `name` (an ONNX value name, say): characters other than
/// [A-Za-z0-9._-] become '_', and a name that would be empty, hidden or a
/// path component ("." or "..") gets a leading '_'.
std::string sanitizeFileName(std::string_view name);

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_RUNNERSUPPORT_H
