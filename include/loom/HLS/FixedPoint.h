//===- FixedPoint.h - ap_fixed formats and their rounding -------*- C++ -*-===//
//
// The fixed-point formats of the HLS target, ap_fixed<W,I,Q,O> with
// Q = AP_RND_CONV | AP_RND | AP_TRN and O = AP_SAT | AP_WRAP, and the
// rounding of a double onto their grid, shared by
// loom-hls-emulate-fixed-point and the CPU pipeline's `fixed-point` option
// (docs/HLSFixedPoint.md).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_HLS_FIXEDPOINT_H
#define LOOM_HLS_FIXEDPOINT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace mlir {
namespace loom {

struct FixedPointFormat {
  /// W: total bits, sign included (2..24, so that every value is exact in
  /// f32 and every product of two exact in f64).
  int64_t width = 16;
  /// I: integer bits, sign included (0..W); F = W - I fraction bits.
  int64_t intBits = 6;
  /// "conv" (AP_RND_CONV, ties to even), "rnd" (AP_RND, ties towards
  /// +infinity) or "trn" (AP_TRN, floor).
  std::string rounding = "conv";
  /// "sat" (AP_SAT) or "wrap" (AP_WRAP).
  std::string overflow = "sat";

  int64_t fracBits() const { return width - intBits; }
};

/// Checks the ranges and mode names; the message names the option.
llvm::Error checkFixedPointFormat(const FixedPointFormat &format);

/// Parses and checks `W,I[,rounding[,overflow]]` (e.g. `16,6,trn,wrap`).
llvm::Expected<FixedPointFormat> parseFixedPointFormat(llvm::StringRef text);

/// `x` as ap_fixed<W,I,Q,O>(x) computes it: x * 2^F rounded per mode to an
/// integer, saturated to [-2^(W-1), 2^(W-1) - 1] or wrapped to W bits, over
/// 2^F. Infinities and NaNs saturate by their sign bit or wrap to 0.
double quantizeFixedPoint(double x, const FixedPointFormat &format);

} // namespace loom
} // namespace mlir

#endif // LOOM_HLS_FIXEDPOINT_H
