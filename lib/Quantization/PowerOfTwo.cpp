//===- PowerOfTwo.cpp - DeepShift power-of-two weights --------------------===//
//
// The weight format of `loom.shift_matmul` (DeepShift, Elhoushi et al.,
// 2021): w ~ s * 2^p, s in {-1, 0, +1}, p in [minExponent, maxExponent].
// For |w| in [2^(e-1), 2^e) (frexp) the nearest powers are 2^(e-1) and
// 2^e, and the nearer is 2^e exactly when |w| >= 1.5 * 2^(e-1), the midpoint
// (rounding log2|w| to nearest would instead split at 2^(e-1/2), which is not
// the error-minimising choice). Clamping to the range keeps the nearest
// in-range power since the error is monotone on each side. Zero wins when
// |w| < 2^(minExponent-1), halfway to the smallest power. All comparisons
// are between exact binary fractions, so ties are exact and go to the larger
// magnitude.
//
//===----------------------------------------------------------------------===//

#include "loom/Quantization/Fitting.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace mlir::loom::quant;

std::string
mlir::loom::quant::verifyPowerOfTwoOptions(const PowerOfTwoOptions &options) {
  if (options.minExponent > options.maxExponent)
    return "min exponent " + std::to_string(options.minExponent) +
           " exceeds max exponent " + std::to_string(options.maxExponent);
  if (options.minExponent < -128 || options.maxExponent > 127)
    return "exponents must fit in i8";
  return "";
}

PowerOfTwoWeights
mlir::loom::quant::quantizePowerOfTwo(const float *weights, int64_t rows,
                                      int64_t cols,
                                      const PowerOfTwoOptions &options) {
  assert(verifyPowerOfTwoOptions(options).empty() &&
         "invalid power-of-two options");
  PowerOfTwoWeights result;
  result.rows = rows;
  result.cols = cols;
  result.minExponent = options.minExponent;
  result.maxExponent = options.maxExponent;
  result.signs.resize(rows * cols);
  result.exponents.resize(rows * cols);
  int zeroExponent = std::clamp(0, options.minExponent, options.maxExponent);
  double zeroThreshold = std::ldexp(1.0, options.minExponent - 1);
  for (int64_t i = 0; i < rows * cols; ++i) {
    double magnitude = std::fabs(static_cast<double>(weights[i]));
    if (magnitude < zeroThreshold) {
      result.signs[i] = 0;
      result.exponents[i] = static_cast<int8_t>(zeroExponent);
      continue;
    }
    int exponent;
    double mantissa = std::frexp(magnitude, &exponent); // in [0.5, 1)
    int power = mantissa >= 0.75 ? exponent : exponent - 1;
    power = std::clamp(power, options.minExponent, options.maxExponent);
    result.signs[i] = weights[i] < 0.0f ? -1 : 1;
    result.exponents[i] = static_cast<int8_t>(power);
  }
  return result;
}

std::vector<float>
mlir::loom::quant::dequantize(const PowerOfTwoWeights &quantized) {
  std::vector<float> result(quantized.rows * quantized.cols);
  for (size_t i = 0; i < result.size(); ++i)
    result[i] = quantized.signs[i] * std::ldexp(1.0f, quantized.exponents[i]);
  return result;
}
