//===- Uniform.cpp - Uniform integer quantization (RTN, GPTQ) -------------===//
//
// The weight format of `loom.qmatmul`: W[n,k] = (q[n,k] - z[n,G]) * s[n,G]
// with signed b-bit codes q in [-2^(b-1), 2^(b-1) - 1].
// - Symmetric: s = max|w| / (2^(b-1) - 1), z = 0.
// - Asymmetric: the group's range [lo, hi] = [min(min w, 0), max(max w, 0)]
//   maps onto the 2^b codes: s = (hi - lo) / (2^b - 1). In unsigned terms
//   (codes 0..2^b-1) the zero point is round(-lo / s); shifting codes and
//   zero point by -2^(b-1) keeps q - z and puts both in the signed range.
//   Including 0 in the range keeps that zero point a valid code.
// A code is clamp(round(w / s) + z) with s the stored f32 scale, so the
// dequantization the op computes is the one the rounding saw.
//
// GPTQ (Frantar et al., 2022) replaces independent rounding by rounding the
// columns in order and moving each column's error onto the columns not yet
// rounded, along GPTQ's factor of the inverse Hessian (FittingDetail.h).
// Group parameters come from the group's weights when the loop reaches the
// group (including the error already moved onto them), as the reference
// implementation does with its default block size of 128 and groups of 128,
// or with `staticGroups` from the original weights (AutoGPTQ).
//
//===----------------------------------------------------------------------===//

#include "FittingDetail.h"
#include "loom/Quantization/Fitting.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace mlir::loom::quant;
using mlir::loom::quant::detail::roundHalfToEven;

namespace {
/// Scale and zero point of one group.
struct GroupParameters {
  float scale = 1.0f;
  int zeroPoint = 0;
};

/// The code range of a width.
struct CodeRange {
  int minCode, maxCode;
  explicit CodeRange(int bits)
      : minCode(-(1 << (bits - 1))), maxCode((1 << (bits - 1)) - 1) {}
};
} // namespace

static GroupParameters fitGroupParameters(const double *weights, int64_t count,
                                          int bits, bool symmetric) {
  CodeRange range(bits);
  GroupParameters parameters;
  if (symmetric) {
    double maxAbs = 0.0;
    for (int64_t k = 0; k < count; ++k)
      maxAbs = std::max(maxAbs, std::fabs(weights[k]));
    float scale = static_cast<float>(maxAbs / range.maxCode);
    // An all-zero group (or one too small for f32) codes as zeros; any
    // positive scale reproduces it.
    parameters.scale = scale > 0.0f ? scale : 1.0f;
    return parameters;
  }
  double low = 0.0, high = 0.0;
  for (int64_t k = 0; k < count; ++k) {
    low = std::min(low, weights[k]);
    high = std::max(high, weights[k]);
  }
  int levels = (1 << bits) - 1;
  float scale = static_cast<float>((high - low) / levels);
  if (!(scale > 0.0f)) {
    parameters.zeroPoint = range.minCode;
    return parameters;
  }
  parameters.scale = scale;
  double unsignedZero = roundHalfToEven(-low / static_cast<double>(scale));
  unsignedZero = std::min(std::max(unsignedZero, 0.0), double(levels));
  parameters.zeroPoint = static_cast<int>(unsignedZero) + range.minCode;
  return parameters;
}

static int8_t quantizeValue(double weight, const GroupParameters &parameters,
                            const CodeRange &range) {
  double code =
      roundHalfToEven(weight / static_cast<double>(parameters.scale)) +
      parameters.zeroPoint;
  code = std::min(std::max(code, double(range.minCode)), double(range.maxCode));
  return static_cast<int8_t>(code);
}

/// The f32 value `loom.qmatmul` gives a code.
static float dequantizeValue(int code, const GroupParameters &parameters) {
  return static_cast<float>(code - parameters.zeroPoint) * parameters.scale;
}

std::string
mlir::loom::quant::verifyUniformOptions(int64_t rows, int64_t cols,
                                        const UniformOptions &options,
                                        bool haveHessian) {
  if (rows <= 0 || cols <= 0)
    return "weight must be a non-empty [N,K] matrix";
  if (options.bits < 2 || options.bits > 8)
    return "bits must be in 2..8, got " + std::to_string(options.bits);
  if (options.groupSize < 0 ||
      (options.groupSize > 0 && cols % options.groupSize != 0))
    return "group size " + std::to_string(options.groupSize) +
           " does not divide K = " + std::to_string(cols);
  if (options.rounding == UniformRounding::Gptq) {
    if (!haveHessian)
      return "GPTQ rounding needs calibration statistics (the Hessian)";
    if (!(options.dampening >= 0.0))
      return "dampening must be non-negative";
  }
  return "";
}

UniformWeights mlir::loom::quant::quantizeUniform(const float *weights,
                                                  int64_t rows, int64_t cols,
                                                  const UniformOptions &options,
                                                  const double *hessian) {
  assert(
      verifyUniformOptions(rows, cols, options, hessian != nullptr).empty() &&
      "invalid uniform quantization options");
  UniformWeights result;
  result.rows = rows;
  result.cols = cols;
  result.bits = options.bits;
  result.groupSize = options.groupSize;
  int64_t groupSize = result.effectiveGroupSize();
  int64_t numGroups = result.numGroups();
  result.codes.resize(rows * cols);
  result.scales.resize(rows * numGroups);
  if (!options.symmetric)
    result.zeroPoints.resize(rows * numGroups);
  CodeRange range(options.bits);

  auto store = [&](int64_t n, int64_t group,
                   const GroupParameters &parameters) {
    result.scales[n * numGroups + group] = parameters.scale;
    if (!options.symmetric)
      result.zeroPoints[n * numGroups + group] =
          static_cast<int8_t>(parameters.zeroPoint);
  };

  std::vector<double> row(cols);
  if (options.rounding == UniformRounding::Nearest) {
    for (int64_t n = 0; n < rows; ++n) {
      for (int64_t k = 0; k < cols; ++k)
        row[k] = weights[n * cols + k];
      for (int64_t group = 0; group < numGroups; ++group) {
        const double *groupWeights = row.data() + group * groupSize;
        GroupParameters parameters = fitGroupParameters(
            groupWeights, groupSize, options.bits, options.symmetric);
        store(n, group, parameters);
        for (int64_t k = 0; k < groupSize; ++k)
          result.codes[n * cols + group * groupSize + k] =
              quantizeValue(groupWeights[k], parameters, range);
      }
    }
    return result;
  }

  std::vector<double> factor =
      inverseHessianFactor(hessian, cols, options.dampening);
  std::vector<bool> dead = detail::deadInputs(hessian, cols);
  std::vector<GroupParameters> groupParameters(numGroups);
  for (int64_t n = 0; n < rows; ++n) {
    for (int64_t k = 0; k < cols; ++k)
      row[k] = dead[k] ? 0.0 : weights[n * cols + k];
    if (options.staticGroups)
      for (int64_t group = 0; group < numGroups; ++group)
        groupParameters[group] =
            fitGroupParameters(row.data() + group * groupSize, groupSize,
                               options.bits, options.symmetric);
    GroupParameters current;
    auto startGroup = [&](int64_t column) {
      int64_t group = column / groupSize;
      current = options.staticGroups
                    ? groupParameters[group]
                    : fitGroupParameters(row.data() + column, groupSize,
                                         options.bits, options.symmetric);
      store(n, group, current);
    };
    auto quantizeColumn = [&](int64_t column, double weight) {
      int8_t code = quantizeValue(weight, current, range);
      result.codes[n * cols + column] = code;
      return static_cast<double>(dequantizeValue(code, current));
    };
    detail::runGptqRow(row.data(), cols, groupSize, factor.data(), startGroup,
                       quantizeColumn);
  }
  return result;
}

std::vector<int8_t>
mlir::loom::quant::packInt4(const std::vector<int8_t> &codes, int64_t rows,
                            int64_t cols) {
  assert(cols % 2 == 0 && static_cast<int64_t>(codes.size()) == rows * cols &&
         "int4 packing needs [rows, cols] codes with cols even");
  std::vector<int8_t> packed(rows * cols / 2);
  for (int64_t i = 0; i < rows * cols / 2; ++i) {
    assert(codes[2 * i] >= -8 && codes[2 * i] <= 7 && codes[2 * i + 1] >= -8 &&
           codes[2 * i + 1] <= 7 && "int4 code out of range");
    unsigned low = static_cast<unsigned>(codes[2 * i]) & 0xFu;
    unsigned high = static_cast<unsigned>(codes[2 * i + 1]) & 0xFu;
    packed[i] = static_cast<int8_t>(static_cast<uint8_t>(low | (high << 4)));
  }
  return packed;
}

std::vector<int8_t>
mlir::loom::quant::unpackInt4(const std::vector<int8_t> &packed, int64_t rows,
                              int64_t cols) {
  assert(cols % 2 == 0 &&
         static_cast<int64_t>(packed.size()) == rows * cols / 2 &&
         "int4 unpacking needs [rows, cols / 2] bytes");
  auto signExtend = [](unsigned nibble) {
    return static_cast<int8_t>(nibble >= 8 ? int(nibble) - 16 : int(nibble));
  };
  std::vector<int8_t> codes(rows * cols);
  for (int64_t i = 0; i < rows * cols / 2; ++i) {
    unsigned byte = static_cast<uint8_t>(packed[i]);
    codes[2 * i] = signExtend(byte & 0xFu);
    codes[2 * i + 1] = signExtend(byte >> 4);
  }
  return codes;
}

std::vector<float>
mlir::loom::quant::dequantize(const UniformWeights &quantized) {
  int64_t groupSize = quantized.effectiveGroupSize();
  int64_t numGroups = quantized.numGroups();
  std::vector<float> result(quantized.rows * quantized.cols);
  for (int64_t n = 0; n < quantized.rows; ++n)
    for (int64_t k = 0; k < quantized.cols; ++k) {
      GroupParameters parameters;
      int64_t group = n * numGroups + k / groupSize;
      parameters.scale = quantized.scales[group];
      parameters.zeroPoint =
          quantized.zeroPoints.empty() ? 0 : quantized.zeroPoints[group];
      result[n * quantized.cols + k] =
          dequantizeValue(quantized.codes[n * quantized.cols + k], parameters);
    }
  return result;
}
