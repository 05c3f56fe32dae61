//===- FixedPoint.cpp - ap_fixed formats and their rounding ---------------===//
//
// The format checks and the compile-time rounding of constants that
// loom-hls-emulate-fixed-point and loom-cpu-pipeline{fixed-point=...} share.
//
//===----------------------------------------------------------------------===//

#include "loom/HLS/FixedPoint.h"
#include "loom/Support/Errors.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;

llvm::Error mlir::loom::checkFixedPointFormat(const FixedPointFormat &format) {
  if (format.width < 2 || format.width > 24)
    return makeError("width " + llvm::Twine(format.width) +
                     " is out of range: 2 to 24 bits (every value exact in "
                     "f32, every product exact in f64)");
  if (format.intBits < 0 || format.intBits > format.width)
    return makeError("int-bits " + llvm::Twine(format.intBits) +
                     " is out of range: 0 to the width (" +
                     llvm::Twine(format.width) + ")");
  if (format.rounding != "conv" && format.rounding != "rnd" &&
      format.rounding != "trn")
    return makeError("rounding '" + format.rounding +
                     "' is not conv (AP_RND_CONV), rnd (AP_RND) or trn "
                     "(AP_TRN)");
  if (format.overflow != "sat" && format.overflow != "wrap")
    return makeError("overflow '" + format.overflow +
                     "' is not sat (AP_SAT) or wrap (AP_WRAP)");
  return llvm::Error::success();
}

llvm::Expected<FixedPointFormat>
mlir::loom::parseFixedPointFormat(llvm::StringRef text) {
  llvm::SmallVector<llvm::StringRef> parts;
  text.split(parts, ',');
  auto syntax = [&]() {
    return makeError("fixed-point '" + text +
                     "' is not W,I[,rounding[,overflow]] (e.g. 16,6 or "
                     "16,6,trn,wrap)");
  };
  if (parts.size() < 2 || parts.size() > 4)
    return syntax();
  FixedPointFormat format;
  if (parts[0].trim().getAsInteger(10, format.width) ||
      parts[1].trim().getAsInteger(10, format.intBits))
    return syntax();
  if (parts.size() > 2)
    format.rounding = parts[2].trim().str();
  if (parts.size() > 3)
    format.overflow = parts[3].trim().str();
  if (llvm::Error e = checkFixedPointFormat(format))
    return std::move(e);
  return format;
}

double mlir::loom::quantizeFixedPoint(double x,
                                      const FixedPointFormat &format) {
  double lo = -std::ldexp(1.0, format.width - 1);
  double hi = std::ldexp(1.0, format.width - 1) - 1;
  double step = std::ldexp(1.0, -format.fracBits());
  if (!std::isfinite(x)) {
    if (format.overflow == "wrap")
      return 0.0;
    return (std::signbit(x) ? lo : hi) * step;
  }
  // Exact: scaling by a power of two, floor, and the fraction it dropped.
  double q = std::ldexp(x, format.fracBits());
  double r = std::floor(q);
  double dropped = q - r;
  if (format.rounding == "rnd")
    r += dropped >= 0.5 ? 1 : 0;
  else if (format.rounding == "conv")
    r += (dropped > 0.5 || (dropped == 0.5 && std::fmod(r, 2.0) != 0)) ? 1 : 0;
  if (format.overflow == "sat") {
    r = std::min(std::max(r, lo), hi);
  } else {
    double modulus = std::ldexp(1.0, format.width);
    r -= std::floor(r / modulus) * modulus;
    if (r > hi)
      r -= modulus;
  }
  return r * step;
}
